/** What a status endpoint answers with: the text table, or JSON. */
export type ResponseFormat = 'text' | 'json';

/** The media types the original offers, in its order of preference on ties. */
const OFFERS = ['text/html', 'text/plain', 'application/json'] as const;

/**
 * The format for an `Accept` header, chosen as the original (WebOb's `best_match`) chooses:
 * each offer gets the quality of the most specific range that matches it, the best quality
 * wins and ties go to the earlier offer. So `application/json, text/plain, *\/*` yields text: a
 * client wanting JSON must ask for it alone or rank the others lower.
 *
 * Differs from Nodepool: a header accepting none of the offers yields text, where the original
 * fails with a 500.
 */
export function responseFormat(accept: string | undefined): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return 'text';
  const ranges = parseAccept(accept);
  let best: { offer: string; quality: number } | undefined;
  for (const offer of OFFERS) {
    const quality = qualityOf(offer, ranges);
    if (quality > 0 && (!best || quality > best.quality)) best = { offer, quality };
  }
  return best?.offer === 'application/json' ? 'json' : 'text';
}

interface MediaRange {
  type: string;
  subtype: string;
  quality: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...params] = part.split(';').map((item) => item.trim());
    const [type, subtype] = mediaType.toLowerCase().split('/');
    if (!type || !subtype) continue;
    let quality = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((item) => item.trim());
      if (name?.toLowerCase() !== 'q' || value === undefined) continue;
      const parsed = Number(value);
      quality = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
    }
    ranges.push({ type, subtype, quality });
  }
  return ranges;
}

/** The quality of the most specific matching range (exact, then `type/*`, then `*\/*`). */
function qualityOf(offer: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = offer.split('/') as [string, string];
  let best: { specificity: number; quality: number } | undefined;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
    if (specificity < 0) continue;
    if (!best || specificity > best.specificity) best = { specificity, quality: range.quality };
  }
  return best?.quality ?? 0;
}
