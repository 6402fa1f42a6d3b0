import fc from 'fast-check';
import { formatMinor, InvalidAmountError, minorToMajor, parseDecimalToMinor } from './money';

describe('parseDecimalToMinor', () => {
  it.each([
    ['19.99', 1999],
    [19.99, 1999],
    [12.5, 1250],
    ['7', 700],
    [7, 700],
    ['-3.10', -310],
    ['0.01', 1],
    ['.5', 50],
    ['+4.2', 420],
    ['12.500', 1250],
    [' 3.5 ', 350],
    ['1.5e2', 15000],
    [1e3, 100000],
    ['-0', 0],
  ])('reads %p as %p minor units', (value, expected) => {
    expect(parseDecimalToMinor(value)).toBe(expected);
  });

  it('honours the number of fraction digits', () => {
    expect(parseDecimalToMinor('1.234', 3)).toBe(1234);
    expect(parseDecimalToMinor('15', 0)).toBe(15);
    expect(() => parseDecimalToMinor('1.5', 0)).toThrow(InvalidAmountError);
  });

  it.each([
    ['abc'],
    [''],
    ['.'],
    ['1.2.3'],
    ['1,50'],
    ['0x10'],
    [NaN],
    [Infinity],
    [-Infinity],
    [null],
    [undefined],
    [true],
    [{ amount: 1 }],
    ['19.999'],
    [0.1 + 0.2],
    [0.1 + 0.7],
    ['1e-7'],
    [1e21],
    ['1e400'],
    ['90071992547409.92'],
  ])('refuses %p', (value) => {
    expect(() => parseDecimalToMinor(value)).toThrow(InvalidAmountError);
  });

  it('names the value in the error', () => {
    expect(() => parseDecimalToMinor('19.999')).toThrow(/"19\.999".*fraction digits/);
  });
});

describe('formatMinor', () => {
  it.each([
    [1250, '12.50'],
    [5, '0.05'],
    [-5, '-0.05'],
    [0, '0.00'],
    [-310, '-3.10'],
  ])('formats %p as %p', (minor, text) => {
    expect(formatMinor(minor)).toBe(text);
  });

  it('formats without a decimal point for zero fraction digits', () => {
    expect(formatMinor(42, 0)).toBe('42');
  });

  it('refuses non-integers', () => {
    expect(() => formatMinor(1.5)).toThrow(InvalidAmountError);
  });
});

describe('minorToMajor', () => {
  it.each([
    [1250, 12.5],
    [1999, 19.99],
    [7, 0.07],
    [-310, -3.1],
    [0, 0],
  ])('sends %p minor units as %p', (minor, major) => {
    expect(minorToMajor(minor)).toBe(major);
    expect(JSON.stringify({ amount: minorToMajor(minor) })).toBe(JSON.stringify({ amount: major }));
  });

  it('refuses amounts a JSON number cannot carry exactly', () => {
    expect(() => minorToMajor(Number.MAX_SAFE_INTEGER)).toThrow(InvalidAmountError);
  });
});

describe('money properties', () => {
  it('parse(format(x)) === x for every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 4 }), (minor, fractionDigits) => {
        expect(parseDecimalToMinor(formatMinor(minor, fractionDigits), fractionDigits)).toBe(minor);
      }),
    );
  });

  it('parse(minorToMajor(x)) === x for amounts up to 15 significant digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }), (minor) => {
        expect(parseDecimalToMinor(minorToMajor(minor))).toBe(minor);
      }),
    );
  });

  it('agrees with exact cent arithmetic on two-decimal strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 99 }), (units, cents) => {
        const text = `${units}.${String(cents).padStart(2, '0')}`;
        expect(parseDecimalToMinor(text)).toBe(units * 100 + cents);
      }),
    );
  });
});
