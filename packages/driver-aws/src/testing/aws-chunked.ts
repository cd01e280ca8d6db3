import { AwsApiError } from './aws-api-error.js';

/**
 * Decodes an `aws-chunked` body: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` chunks ending
 * with a zero-size chunk and optional trailers (the checksum the SDK computes while streaming).
 * The SDK sends a stream body this way, with the real length in `x-amz-decoded-content-length`.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let position = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', position);
    if (lineEnd < 0) throw new AwsApiError('IncompleteBody', 'The aws-chunked body ends inside a chunk header.');
    const sizeText = body.subarray(position, lineEnd).toString('latin1').split(';')[0]!.trim();
    const size = Number.parseInt(sizeText, 16);
    if (!/^[0-9a-fA-F]+$/.test(sizeText) || !Number.isSafeInteger(size)) throw new AwsApiError('InvalidChunkSizeError', `Invalid chunk size '${sizeText}' in the aws-chunked body.`);
    position = lineEnd + 2;
    if (size === 0) return Buffer.concat(chunks);
    if (position + size + 2 > body.length) throw new AwsApiError('IncompleteBody', 'The aws-chunked body ends inside a chunk.');
    chunks.push(body.subarray(position, position + size));
    position += size;
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) throw new AwsApiError('IncompleteBody', 'A chunk of the aws-chunked body does not end with CRLF.');
    position += 2;
  }
}
