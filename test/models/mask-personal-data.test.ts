import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../../models/mask-personal-data.ts';

/** [what it is, said, shown]: every personal number masked, its short visible part kept. */
const MASKED: Array<[string, string, string]> = [
  ['a mobile number in a sentence', '我的手机号是13812345678', '我的手机号是138****5678'],
  ['a mobile number alone', '18612345678', '186****5678'],
  ['a mobile number in spaced groups', '打138 1234 5678就行', '打138 **** 5678就行'],
  ['a mobile number in dashed groups', '138-1234-5678', '138-****-5678'],
  ['a mobile number with +86', '+86 138 1234 5678', '+86 138 **** 5678'],
  ['a mobile number with 86 run in', '8613812345678', '86138****5678'],
  ['a mobile number in Chinese numerals', '一三八一二三四五六七八', '一三八****五六七八'],
  ['ASR saying 幺 for 1', '幺三八幺二三四五六七八', '幺三八****五六七八'],
  ['Chinese numerals with pauses', '一三八，一二三四，五六七八', '一三八，****，五六七八'],
  ['full-width digits', '１３８１２３４５６７８', '１３８****５６７８'],
  ['two mobile numbers', '13812345678 13987654321', '138****5678 139****4321'],
  ['a Beijing landline', '座机010-12345678', '座机010-****5678'],
  ['a landline with a 4-digit area code', '0755-1234567', '0755-***4567'],
  ['a landline run together', '02112345678', '021****5678'],
  ['an ID-card number', '身份证号110101199003071234', '身份证号110101********1234'],
  ['an ID-card number ending in X', '证件号11010119900307123X。', '证件号110101********123X。'],
  ['an ID-card number ending in x', '11010119900307123x', '110101********123x'],
  ['an old 15-digit ID-card number', '110101900307123', '110101******123'],
  [
    'an ID-card number in Chinese numerals',
    '幺幺零幺零幺幺九九零零三零七幺二三四',
    '幺幺零幺零幺********幺二三四',
  ],
  ['a bank card number', '卡号6222021234567890128', '卡号***************0128'],
  ['a bank card number in groups', '4111 1111 1111 1111', '**** **** **** 1111'],
  ['a number among others', '手机13812345678，订单123456', '手机138****5678，订单123456'],
];

/** [what it is, text]: numbers that are not personal stay as they were. */
const UNTOUCHED: Array<[string, string]> = [
  ['an 11-digit number without a mobile prefix', '12345678901'],
  ['a number with the mobile prefix but 10 digits', '1381234567'],
  ['a number with the mobile prefix but 12 digits', '138123456789'],
  ['a mobile number inside a longer run', '订单号13812345678901'],
  ['an order number with letters', 'DD13812345678'],
  ['a mobile-shaped run followed by letters', '13812345678abc'],
  ['an amount with decimals', '金额13812345678.00元'],
  ['an amount with thousands separators', '13,812,345,678元'],
  ['a date', '2026-10-08'],
  ['a timestamp', '2026-10-08T09:15:00+08:00'],
  ['an 18-digit number that is no birth date', '110101199013071234'],
  ['an 18-digit order number failing Luhn', '123456789012345678'],
  ['a 16-digit order number failing Luhn', '1234567890123456'],
  ['a short amount in Chinese numerals', '一百三十八元'],
  ['a landline with a too short local number', '010-123456'],
  ['ordinary text', '您好，请问有什么可以帮您？'],
  ['an agent id and a call id', 'A1 call-0001'],
];

describe('maskPersonalData', () => {
  it.each(MASKED)('masks %s', (_what, said, shown) => {
    expect(maskPersonalData(said)).toBe(shown);
  });

  it.each(UNTOUCHED)('leaves %s', (_what, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });
});
