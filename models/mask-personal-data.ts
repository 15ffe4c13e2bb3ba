/**
 * Masks the personal numbers a caller says aloud — mobile and landline
 * numbers, ID-card numbers (身份证号), bank card numbers — keeping a short
 * visible part (138****5678, 110101********1234) so a reviewer can still
 * tell which number was meant. Pure: text in, text out.
 *
 * Numbers are found as runs of digits, in any mix of ASCII, full-width and
 * Chinese numerals (ASR writes 一三八… and says 幺 for 1), with single spaces,
 * dashes or Chinese commas between groups (138 1234 5678, 一三八，一二三四…).
 * A run must stand alone: a digit run touching a letter (an order number
 * DD13812345678) or a decimal point (an amount 13812345678.00) is left alone,
 * and a run is masked only when it, or consecutive groups of it, is exactly
 * one of the shapes below — a longer or shorter run of digits is not a phone.
 */

const CHINESE_DIGITS: Record<string, string> = {
  零: '0',
  〇: '0',
  一: '1',
  幺: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};

/** Between two groups of one number: one space, dash or Chinese comma. */
const SEPARATORS = new Set([' ', '-', '，', '\u3000']);

/** How much of a number stays visible. */
interface Shape {
  keepFront: number;
  keepBack: number;
}

function digitOf(ch: string | undefined): string | undefined {
  if (ch === undefined) return undefined;
  if (ch >= '0' && ch <= '9') return ch;
  if (ch >= '０' && ch <= '９') return String(ch.charCodeAt(0) - 0xff10);
  return CHINESE_DIGITS[ch];
}

const WORD_CHAR = /[A-Za-z0-9_]/;

/** What `digits` is, as a personal number; undefined for anything else. */
export function personalNumberShape(digits: string): Shape | undefined {
  const mobile = /^(86|0086)?1[3-9]\d{9}$/.exec(digits);
  if (mobile) return { keepFront: (mobile[1]?.length ?? 0) + 3, keepBack: 4 };
  if (/^[1-9]\d{16}[\dX]$/.test(digits) && isDate(digits.slice(6, 14))) return { keepFront: 6, keepBack: 4 };
  if (/^[1-9]\d{14}$/.test(digits) && isDate(`19${digits.slice(6, 12)}`))
    return { keepFront: 6, keepBack: 3 };
  if (/^0[1-9]\d{8,10}$/.test(digits)) {
    // Beijing, Shanghai, Tianjin, Chongqing and the 02x cities have 3-digit area codes, the rest 4.
    const area = /^0[12]/.test(digits) ? 3 : 4;
    const local = digits.length - area;
    if (local === 7 || local === 8) return { keepFront: area, keepBack: 4 };
  }
  // Order and waybill numbers are this long too; a card number passes the Luhn check.
  if (/^\d{16,19}$/.test(digits) && luhn(digits)) return { keepFront: 0, keepBack: 4 };
  return undefined;
}

/** `text` with every personal number in it masked; anything else unchanged. */
export function maskPersonalData(text: string): string {
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    if (digitOf(text[i]) === undefined) {
      i += 1;
      continue;
    }
    const start = i;
    // Each group: the positions of its digits in `text`.
    const groups: number[][] = [[]];
    while (i < text.length) {
      if (digitOf(text[i]) !== undefined) groups[groups.length - 1].push(i);
      else if (SEPARATORS.has(text[i]) && digitOf(text[i + 1]) !== undefined) groups.push([]);
      else break;
      i += 1;
    }
    // An ID card's check character may be X.
    if (text[i] === 'X' || text[i] === 'x') groups[groups.length - 1].push(i++);
    if (standsAlone(text, start, i)) maskGroups(text, groups, out);
  }
  return out.join('');
}

/**
 * Masks the shortest consecutive groups that form a personal number, then
 * goes on after them: 138 1234 5678 is one mobile number, and two mobile
 * numbers with a space between are two.
 */
function maskGroups(text: string, groups: number[][], out: string[]): void {
  let from = 0;
  while (from < groups.length) {
    let matched = false;
    for (let to = from; to < groups.length && !matched; to += 1) {
      const positions = groups.slice(from, to + 1).flat();
      const digits = positions.map((p) => digitOf(text[p]) ?? 'X').join('');
      const shape = personalNumberShape(digits);
      if (!shape) continue;
      positions.forEach((p, k) => {
        if (k >= shape.keepFront && k < positions.length - shape.keepBack) out[p] = '*';
      });
      from = to + 1;
      matched = true;
    }
    if (!matched) from += 1;
  }
}

/** Not part of a longer word, identifier or decimal number. */
function standsAlone(text: string, start: number, end: number): boolean {
  const before = text[start - 1] ?? '';
  const after = text[end] ?? '';
  if (WORD_CHAR.test(before) || WORD_CHAR.test(after)) return false;
  if (before === '.' && digitOf(text[start - 2]) !== undefined) return false;
  if (after === '.' && digitOf(text[end + 1]) !== undefined) return false;
  return true;
}

/** YYYYMMDD, a plausible birth date. */
function isDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let k = 0; k < digits.length; k += 1) {
    let d = Number(digits[digits.length - 1 - k]);
    if (k % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
