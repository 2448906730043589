/**
 * GPT-2's reversible byte → printable character map (`bytes_to_unicode` in OpenAI's encoder.py), which the
 * Hugging Face ByteLevel pre-tokenizer also uses: printable Latin-1 bytes map to themselves, the other 68
 * bytes to U+0100 onwards. Index = byte value.
 */
export function byteLevelChars(): string[] {
  const chars = new Array<string>(256);
  let next = 256;
  for (let byte = 0; byte < 256; byte += 1) {
    const printable =
      (byte >= 0x21 && byte <= 0x7e) ||
      (byte >= 0xa1 && byte <= 0xac) ||
      (byte >= 0xae && byte <= 0xff);
    chars[byte] = String.fromCodePoint(printable ? byte : next++);
  }
  return chars;
}
