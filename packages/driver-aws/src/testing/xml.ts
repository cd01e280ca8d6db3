import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** A value the XML builder renders: text, a number, a flag, an element tree or repeated elements. */
export type XmlValue = string | number | boolean | undefined | null | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: false, suppressEmptyNode: false });
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** Drops `undefined` and `null` members, so optional fields are simply left out, as AWS does. */
function prune(value: XmlValue): XmlValue {
  if (Array.isArray(value)) return value.map(prune).filter((item) => item !== undefined && item !== null);
  if (value !== null && typeof value === 'object') {
    const out: XmlObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || item === null) continue;
      out[key] = prune(item);
    }
    return out;
  }
  return value;
}

/** An XML document with one root element (attributes as `@_name` members). */
export function buildXml(root: string, body: XmlObject): string {
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: prune(body) }) as string;
}

/** Parses an XML request body (S3's CompleteMultipartUpload, DeleteObjects), values as text. */
export function parseXml(text: string): Record<string, unknown> {
  return parser.parse(text) as Record<string, unknown>;
}

/** An EC2 list: `<name><item>…</item>…</name>`. */
export const items = <T>(list: Iterable<T>, render: (item: T, index: number) => XmlValue): XmlObject => ({ item: [...list].map(render) });

/** An EC2 `tagSet`, or nothing when there are no tags (EC2 leaves the element out). */
export const tagSet = (tags: ReadonlyMap<string, string>): XmlObject | undefined =>
  tags.size === 0 ? undefined : items(tags, ([key, value]) => ({ key, value }));

export const isoTime = (ms: number): string => new Date(ms).toISOString();
