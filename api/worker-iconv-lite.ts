/**
 * Stands in for `iconv-lite` in the worker bundle only (`[alias]` in wrangler.toml).
 * iconv-lite requires Node's `buffer` and `string_decoder`, which Workers only have with
 * `nodejs_compat`; workerd's TextDecoder decodes GBK/GB18030 natively (WHATWG Encoding), which
 * is all the household importer asks of it.
 */
export function decode(bytes: Uint8Array, encoding: string): string {
  return new TextDecoder(encoding).decode(bytes);
}

export default { decode };
