/**
 * Product barcodes at the till (issue 14): EAN-13, UPC-A (12 digits) and EAN-8, each with its
 * check digit verified, so a mistyped or misread code is refused where it is entered.
 */

/** Whether `code` is a product barcode with a correct check digit. */
export function isProductBarcode(code: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13})$/.test(code)) return false;
  const digits = [...code].map(Number);
  const check = digits.pop() as number;
  // From the right, the digits before the check digit weigh 3, 1, 3, 1, …
  const sum = digits.reverse().reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}
