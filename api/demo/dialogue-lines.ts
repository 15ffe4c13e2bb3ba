/**
 * What people say on the demo's calls, move by move, with many alternatives
 * for each. Written from how Mandarin call-centre calls actually go (telecom,
 * shop and bank hotlines), not from the scorecard: the demo is there to show
 * what the scorer makes of ordinary calls, good and bad.
 *
 * Slots: {name} the agent's name, {id} the agent's number (工号), {sir} how the
 * agent addresses the customer (张先生, 李女士), {phone} {order} {card4} {amount}
 * {date} {day} {time} {address} the call's details.
 */

/** The agent's first words, by kind (the kind is kept so a test can count the variety). */
export const OPENERS = {
  /** The full script: hello, who is speaking (with the number), an offer of help. */
  scripted: [
    '您好，{id}号客服为您服务，请问有什么可以帮您？',
    '您好，很高兴为您服务，我是{id}号话务员{name}，请问您要办理什么业务？',
    '您好，欢迎致电客服中心，工号{id}很高兴为您服务，请讲。',
    '您好，我是{id}号{name}，请问有什么可以帮到您的？',
    '您好，这里是客户服务中心，{id}号为您服务，请问您遇到什么问题了？',
    '您好您好，我是客服{name}，工号{id}，请问今天有什么能帮您？',
  ],
  /** Polite, but without the agent's number. */
  noNumber: [
    '您好，请问有什么可以帮您？',
    '您好，客服中心，请问您有什么需要？',
    '您好，请问您要咨询什么？',
    '您好，很高兴为您服务，请讲。',
    '您好，这边是售后服务，请问您有什么问题？',
  ],
  /** 你 where the standard wants 您. */
  informal: [
    '你好，请问有什么事？',
    '你好，客服，什么问题？',
    '你好，我是{id}号，你要办什么？',
    '你好你好，说吧，什么情况？',
  ],
  /** No greeting at all: straight to business, or a bare 喂. */
  none: ['喂？', '喂，说话。', '嗯，你说。', '哪个业务？', '说吧，什么事。'],
  /** Outbound: the agent calls the customer back. */
  outbound: [
    '您好，请问是{sir}吗？我是客服中心{id}号{name}，关于您昨天反映的问题给您回个电话。',
    '喂您好，这边是客服中心的回访电话，请问您是{sir}本人吗？',
    '您好{sir}，我是{name}，您之前提交的工单我们处理好了，跟您确认一下。',
  ],
} as const;

export type OpenerKind = keyof typeof OPENERS;

/** The customer's first words after the opener, sometimes none. */
export const CUSTOMER_HELLO = ['喂，你好。', '你好。', '哎你好，', '喂喂，听得到吗？', '嗯你好，'];

export interface Topic {
  name: string;
  /** The customer says what they want. */
  requests: string[];
  /** The agent asks for what identifies the case. */
  asks: string[];
  /** The customer gives it. */
  answers: string[];
  /** The agent's finding or solution: the n-th answers the n-th request. */
  solutions: string[];
  /** The customer's follow-up questions, and the agent's answers in the same order. */
  followUps: Array<[string, string]>;
}

export const TOPICS: Topic[] = [
  {
    name: 'billing',
    requests: [
      '我这个月话费怎么扣了{amount}块啊，平时都是五十几块的。',
      '我上个月账单怎么多了一笔流量费，我出国那几天根本没怎么用。',
      '我刚充了一百块钱，怎么提示我欠费停机了？',
      '你们是不是乱扣费啊，我根本没订过什么会员。',
    ],
    asks: [
      '好的，麻烦您提供一下机主的手机号码。',
      '我帮您查一下，请问是您现在来电的这个号码吗？',
      '请您报一下手机号码和机主姓名，我这边核实一下。',
    ],
    answers: ['对，就是这个号，{phone}。', '号码是{phone}，机主是我本人。', '{phone}，身份证是我的名字。'],
    solutions: [
      '这笔费用是套餐外的语音费，您这个月通话超出了套餐分钟数。',
      '查到了，多出来的是国际漫游的流量费，{date}在境外产生的。',
      '您充值的一百元已经到账了，是因为之前有欠费，抵扣之后余额不足，所以停机了。',
      '我这边查到了，{date}您的号码订购了一个视频会员，每月{amount}元，是通过短信验证码开通的。',
    ],
    followUps: [
      ['那这个钱能退吗？', '我先帮您把这个业务退订，本月的费用我给您提交退费申请，三到五个工作日审核。'],
      ['我怎么不知道我订了这个？', '开通的时候系统会发一条确认短信，您可以看一下{date}的短信记录。'],
      ['以后还会再扣吗？', '已经帮您退订成功了，下个月开始就不会再扣了。'],
      ['这个费用能不能减免一下？', '我可以帮您申请减免，需要后台审核，结果会短信通知您。'],
    ],
  },
  {
    name: 'broadband',
    requests: [
      '我家宽带从昨天晚上开始就上不了网了，光猫一直闪红灯。',
      '宽带特别卡，看个视频一直转圈，你们能不能派人来看看？',
      '我家网断了，路由器重启了好几次都没用。',
      '你好，我们小区是不是在维修啊，网一直连不上。',
    ],
    asks: [
      '好的，请您提供一下宽带账号或者装机地址。',
      '麻烦您说一下安装地址，我查一下您那边的线路。',
      '请问您的宽带是登记在哪个手机号下面的？',
    ],
    answers: ['地址是{address}。', '账号我不记得了，登记的手机是{phone}。', '在{address}，户主姓王。'],
    solutions: [
      '系统检测您的光猫信号偏弱，我给您派一张维修单，师傅会在两小时内联系您。',
      '线路测试是正常的，可能是路由器的问题，我帮您约一个师傅上门检测。',
      '您先把光猫的电源拔掉，等三十秒再插上，我这边同时给您重置一下端口。',
      '我这边看到您那个片区的光缆{date}在抢修，预计今天下午六点前恢复。',
    ],
    followUps: [
      ['师傅大概几点能到？', '师傅会先电话联系您，一般是在{time}之前上门，您看家里有人吗？'],
      ['上门要收费吗？', '光猫是我们提供的设备，检修是免费的，如果换您自己的路由器才另外收费。'],
      ['这几天断网的钱怎么算？', '故障期间的费用我给您申请减免，修好之后会按天折算退回。'],
      ['那今天晚上之前能修好吗？', '师傅今天会尽量处理，修好以后会给您发短信。'],
    ],
  },
  {
    name: 'plan',
    requests: [
      '我想把我现在的套餐换一个便宜点的，现在一个月一百二太贵了。',
      '你们现在有没有流量多一点的套餐？我流量老是不够用。',
      '我想问一下，我能不能把副卡取消掉？',
      '我想办一个家庭套餐，把我老婆的号也加进来。',
    ],
    asks: [
      '好的，请问您现在用的是哪个号码？我先看一下您当前的套餐。',
      '请您提供一下机主身份证号码的后四位，我核实一下身份。',
      '麻烦您报一下号码，还有机主的姓名。',
    ],
    answers: ['号码{phone}，身份证后四位{card4}。', '{phone}，机主是我，后四位{card4}。', '是{phone}。'],
    solutions: [
      '您现在是一百二十八元的套餐，根据您近三个月的使用情况，七十八元的套餐就够用了，流量有四十个G。',
      '我们现在有一个五十九元的套餐，包含三十G流量和二百分钟通话，下个月一号生效。',
      '副卡可以取消，取消之后下个月一号开始就不再收副卡的月租了。',
      '家庭套餐最多可以加四个成员，每个成员每月十元，共享主卡的流量。',
    ],
    followUps: [
      ['换了以后我的号码会变吗？', '号码不会变，只是换了一个资费，其他都不受影响。'],
      ['有没有合约期？', '这个套餐没有合约期，您随时可以再更改。'],
      ['那现在就能生效吗？', '套餐变更是下个月一号生效，本月还是按原来的套餐计费。'],
      ['那原来套餐里的流量呢？', '本月剩下的流量还能用，到月底清零。'],
    ],
  },
  {
    name: 'refund',
    requests: [
      '我买的一件衣服尺码不对，我想退货退款。',
      '我申请退款已经一个星期了，钱怎么还没到账啊？',
      '我收到的东西是坏的，屏幕都裂了，我要退款。',
      '我订单取消了，那个钱什么时候退回来？',
    ],
    asks: [
      '好的，请您提供一下订单号，我帮您查询一下。',
      '麻烦您报一下下单的手机号码，或者订单编号。',
      '请问您是在哪一天下的单？订单号方便提供一下吗？',
    ],
    answers: ['订单号是{order}。', '我用的手机号是{phone}，{date}买的。', '订单号{order}，我念一下，对。'],
    solutions: [
      '您这个订单还没有申请退货，我现在帮您提交，快递员会在明天上门取件。',
      '退款已经在处理中了，因为是信用卡支付的，到账时间会稍微长一点，大概五到七个工作日。',
      '商品损坏的话您拍几张照片上传到订单里，我这边给您加急处理，直接退全款。',
      '我这边查到您的退款{date}已经审核通过了，原路退回到您的银行卡，一般一到三个工作日到账。',
    ],
    followUps: [
      ['退货的运费谁出啊？', '质量问题的运费由我们承担，您不用付运费。'],
      ['退款到账会通知我吗？', '会的，到账的时候会有短信通知您。'],
      ['到时候钱退到哪里？', '原路退回，您用什么方式付的就退到哪里。'],
      ['能不能快一点？我急着用钱。', '我给您备注加急了，审核通过以后会第一时间退款。'],
    ],
  },
  {
    name: 'delivery',
    requests: [
      '我的快递三天了还没到，物流一直没更新。',
      '我的包裹显示已签收，可是我根本没收到啊。',
      '我想改一下收货地址，还来得及吗？',
      '快递员把我的东西放到驿站了，也没跟我说一声。',
    ],
    asks: [
      '请您提供一下快递单号或者订单号。',
      '麻烦您报一下收件人的手机号，我查一下物流。',
      '您的订单号是多少呢？',
    ],
    answers: ['单号是{order}。', '收件人手机{phone}。', '订单号{order}，收件人是我。'],
    solutions: [
      '我看了一下，您的包裹{date}到了本地的分拣中心，因为天气原因延误了，预计明天送达。',
      '显示是放在了您小区门口的快递柜，取件码我重新给您发一遍短信。',
      '包裹还没有发出，地址可以修改，我现在帮您改成{address}。',
      '我这边联系一下配送站，让快递员今天之内给您送上门。',
    ],
    followUps: [
      ['要是明天还不到呢？', '明天还没送到的话，您直接回复短信，我们优先给您补发。'],
      ['能不能让他直接送到家里？', '可以的，我给快递员留了备注，送货上门之前会先给您打电话。'],
      ['这个快递员怎么老是这样？', '非常抱歉，我们会把这个情况反馈给配送站。'],
      ['那我什么时候能收到？', '一般是{time}之前送到，您保持电话畅通就可以了。'],
    ],
  },
  {
    name: 'card',
    requests: [
      '我银行卡丢了，我要挂失。',
      '我的信用卡刚才收到一条消费短信，不是我刷的。',
      '我想问一下，我的卡怎么被冻结了？',
      '我的卡密码输错了三次，现在用不了了。',
    ],
    asks: [
      '好的，为了您的账户安全，请您提供一下卡号后四位和持卡人的身份证号码。',
      '请问您是持卡人本人吗？麻烦您说一下身份证号码。',
      '请您提供一下预留手机号和卡号的后四位。',
    ],
    answers: [
      '卡号后四位{card4}，身份证号是110105199003071234。',
      '是我本人，预留手机是{phone}，卡号后四位{card4}。',
      '后四位{card4}。',
    ],
    solutions: [
      '已经为您办理了临时挂失，卡片现在不能使用了，临时挂失有效期是五天。',
      '这笔交易我已经帮您拦截了，卡片先冻结，建议您尽快补办一张新卡。',
      '系统显示您的账户有异常登录，为了安全暂时冻结了，本人核实之后可以解冻。',
      '您的卡是因为密码连续输错被锁定了，第二天零点会自动解锁。',
    ],
    followUps: [
      ['那卡里的钱会不会有事？', '挂失以后卡里的资金是安全的，别人不能再使用这张卡。'],
      ['补卡要多少钱？', '补卡工本费是十元，新卡大概七个工作日寄到您的账单地址。'],
      ['那我现在能转账吗？', '卡片冻结期间是不能转账的，解冻以后就可以正常使用。'],
      ['这个钱能追回来吗？', '我给您登记一个争议交易，调查结果会在十五个工作日内通知您。'],
    ],
  },
];

/** The customer's details asked again, or the agent checking what they heard. */
export const CLARIFY = [
  ['不好意思，信号不太好，您能再说一遍吗？', '我说{phone}。'],
  ['您说的是{date}那一笔对吧？', '对对，就是那一笔。'],
  ['请问您现在方便接收短信吗？', '可以，你发吧。'],
  ['跟您核对一下，是{address}对吗？', '对的，没错。'],
  ['您之前有没有打过我们电话反映过这个问题？', '打过一次，说给我处理，结果到现在也没有动静。'],
] as const;

/** Putting the customer on hold, and coming back (with thanks, or without). */
export const HOLD = {
  ask: [
    '请您稍等，我帮您查询一下。',
    '麻烦您稍等一下，我这边核实一下情况。',
    '您先别挂，我看一下系统。',
    '等一下啊。',
  ],
  backThanks: ['感谢您的耐心等待。', '让您久等了。', '不好意思让您久等了，'],
  backPlain: ['好了，查到了。', '喂，还在吗？', '嗯，看到了。'],
};

/** The customer's small acknowledgements and reactions. */
export const CUSTOMER_ACK = ['好的。', '嗯嗯。', '哦，这样啊。', '行，明白了。', '好吧。', '那行。'];
export const CUSTOMER_ANNOYED = [
  '你们这服务也太差了吧，每次都这样。',
  '我都打了三次电话了，到底能不能解决？',
  '你们就会让我等，等到什么时候？',
];

/** The agent's closing, by kind. */
export type ClosingKind = 'full' | 'thanks' | 'bye' | 'abrupt' | 'none';

/** Lines alternate agent, customer, agent… */
export const CLOSINGS: Record<ClosingKind, string[][]> = {
  /** Anything else? then thanks and goodbye. */
  full: [
    ['请问还有其他可以帮您的吗？', '没有了。', '好的，感谢您的来电，祝您生活愉快，再见！'],
    ['您看还有别的问题需要咨询吗？', '没了没了。', '好的，那不打扰您了，感谢您的耐心，再见。'],
    [
      '还有什么需要我帮您处理的吗？',
      '没有了，谢谢。',
      '不客气，稍后会有一条满意度短信，麻烦您评价一下，再见。',
    ],
  ],
  /** Thanks, no goodbye. */
  thanks: [['好的，感谢您的来电。'], ['嗯，谢谢您的配合。'], ['感谢您的理解和支持。']],
  /** Goodbye, nothing else. */
  bye: [['那就先这样，再见。'], ['好，拜拜。'], ['再见。']],
  /** Ends the call abruptly. */
  abrupt: [['就这样吧。'], ['行了，没别的事我挂了。'], ['嗯，那先这样。']],
  /** The call just stops (the customer hangs up, or the agent says nothing). */
  none: [[]],
};

/** After the agent's goodbye the customer starts something new. */
export const REOPEN: Array<[string, string]> = [
  ['哦对了，还有一个事，我那个积分能换什么？', '积分可以在我们的APP里兑换话费或者礼品。'],
  ['等一下，刚才那个短信多久能收到？', '短信一分钟之内就能收到。'],
  ['哎对了，我想顺便问一下营业时间。', '营业厅是早上九点到晚上六点，周末也营业。'],
];

/** 服务忌语 by family: what the agent should never say. */
export const TABOOS = {
  refusal: [
    '这个办不了，规定就是这样。',
    '没办法，我们这边处理不了。',
    '不行，这个不能给你退。',
    '这个我们帮不了你。',
  ],
  ignorance: [
    '这个我不知道，你问别人吧。',
    '我也不清楚是怎么回事。',
    '不知道，系统里看不出来。',
    '这个我真搞不清楚。',
  ],
  impatience: [
    '我刚才不是已经说过了吗？',
    '你听我说完行不行！',
    '说了多少遍了，你怎么还不明白。',
    '快点说，后面还有人排队呢。',
  ],
  blame: [
    '这是你自己操作错了，怪不了我们。',
    '谁让你不看短信的。',
    '你自己没看清楚条款，现在来找我们有什么用。',
    '这种事你早干什么去了？',
  ],
  shirking: [
    '这不归我们管，你找别的部门去。',
    '这个你去找快递公司，跟我们没关系。',
    '这个你自己去营业厅问吧，我这边管不了。',
  ],
} as const;

export type TabooFamily = keyof typeof TABOOS;

/** Lines that look like 服务忌语 and are not. */
export const LOOK_ALIKES = {
  conditional: [
    '如果重启以后还不行的话，您再打过来，我们直接给您派师傅。',
    '要是三天之内还没到账的话，您拨打我们的热线，我们帮您催一下。',
    '如果这个方法解决不了，我再给您升级处理。',
  ],
  question: [
    '您看这样处理可以吗？',
    '这个时间您方便吗？不方便的话我们再约。',
    '您还记得订单号吗？不知道也没关系，我用手机号查。',
  ],
  thirdParty: [
    '系统暂时没办法查到这笔记录，我帮您提交给后台，明天给您回复。',
    '快递公司那边暂时改不了地址，我再跟他们协调一下。',
    '银行那边显示还在处理中，我们这边会持续跟进。',
  ],
  quote: [
    '您是说您也不清楚是哪天扣的，对吧？',
    '您刚才说营业厅告诉您办不了，是吗？',
    '明白，您的意思是师傅说不知道什么时候能来。',
  ],
  rule: [
    '这里提醒您一下，号码注销以后就没办法恢复了。',
    '这个业务需要您本人带身份证到营业厅办理。',
    '挂失以后这张卡就不能再用了，需要补办新卡。',
  ],
} as const;

export type LookAlikeKind = keyof typeof LOOK_ALIKES;

/** Very short calls (under about 20 s): hang-ups, silence, wrong numbers. */
export const SHORT_CALLS: Array<Array<['agent' | 'customer', string]>> = [
  [
    ['agent', '您好，请问有什么可以帮您？'],
    ['agent', '您好？请问能听到吗？'],
  ],
  [
    ['agent', '您好，{id}号为您服务。'],
    ['customer', '哦不好意思，打错了。'],
    ['agent', '没关系，再见。'],
  ],
  [
    ['agent', '喂？'],
    ['customer', '喂，是物业吗？'],
    ['agent', '不是，这里是客服中心。'],
  ],
  [
    ['agent', '您好，客服中心。'],
    ['customer', '我查一下话费余额。'],
    ['agent', '您可以发短信一零一到这个号码查询，好吗？'],
    ['customer', '好，谢谢。'],
  ],
  [
    ['agent', '你好？'],
    ['agent', '喂喂？没声音我先挂了啊。'],
  ],
];

/** What ASR mishears: the spoken word and how the transcript writes it. */
export const ASR_SLIPS: Array<[string, string]> = [
  ['再见', '在见'],
  ['不知道', '部知道'],
  ['宽带', '宽代'],
  ['套餐', '套参'],
  ['您好', '你好'],
  ['稍等', '烧等'],
  ['退款', '推款'],
  ['感谢', '敢谢'],
  ['挂失', '挂师'],
  ['帮您', '帮你'],
];

export const SLOT_VALUES = {
  sir: ['张先生', '李女士', '王先生', '陈女士', '刘先生', '赵女士', '黄先生', '周女士'],
  phone: ['13812345678', '139 1234 8765', '一三七零一二三四五六七', '15098765432', '18611112222'],
  order: ['二零二六一零零八三三四五', 'JD8837261', '7765 3321 0098', '六六八三九二一'],
  card4: ['3321', '八八六五', '0097', '五四二一'],
  amount: ['三十', '九十九', '二十五', '一百八十', '十五'],
  date: ['十月八号', '上个月二十号', '前天', '上周五', '十月三号'],
  day: ['明天', '后天', '周六'],
  time: ['下午三点', '明天中午十二点', '今天晚上八点', '明天上午十点'],
  address: ['幸福小区三栋二单元502', '朝阳路88号', '城南花园12号楼', '建设路阳光家园七栋'],
} as const;
