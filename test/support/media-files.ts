/**
 * Small files of the kinds people send a helpline, real enough for their type to be read
 * from their bytes (file-type): a photo, a WhatsApp voice note (Ogg Opus) and a PDF.
 */
export interface MediaFile {
  kind: 'image' | 'audio' | 'document';
  bytes: Buffer;
  /** What the provider declares. */
  contentType: string;
  /** What the bytes are, once read. */
  storedType: string;
  name?: string;
  /** Served without `Content-Length` (chunked), so only reading tells its size. */
  chunked?: boolean;
}

/** A 1×1 PNG; `variant` changes a byte of its pixels so two photos differ. */
export function photo(variant = 0): MediaFile {
  const bytes = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  // Bytes after the PNG's end are ignored by viewers but change the file's hash.
  return { kind: 'image', bytes: Buffer.concat([bytes, Buffer.from([variant])]), contentType: 'image/png', storedType: 'image/png' };
}

/** The first Ogg page of an Opus stream (its `OpusHead`), then some audio-like bytes. */
export function voiceNote(): MediaFile {
  const head = Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0])]);
  const page = Buffer.alloc(28);
  page.write('OggS', 0);
  page[5] = 2; // beginning of stream
  page[26] = 1; // one segment
  page[27] = head.length;
  const audio = Buffer.alloc(3000, 0x5a);
  return {
    kind: 'audio',
    bytes: Buffer.concat([page, head, audio]),
    contentType: 'audio/ogg; codecs=opus',
    storedType: 'audio/ogg; codecs=opus',
  };
}

export function pdf(): MediaFile {
  const bytes = Buffer.from(
    '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n' +
      'trailer\n<< /Root 1 0 R >>\n%%EOF\n',
  );
  return { kind: 'document', bytes, contentType: 'application/pdf', storedType: 'application/pdf', name: 'tenancy-agreement.pdf' };
}

/** A page of HTML that claims to be a PNG: it must never be served as either. */
export function htmlDeclaredPng(): MediaFile {
  const bytes = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
  return { kind: 'image', bytes, contentType: 'image/png', storedType: 'application/octet-stream' };
}

/** A "photo" of `size` bytes: a PNG's first bytes, then filler. */
export function largePhoto(size: number): MediaFile {
  const bytes = Buffer.alloc(size, 0x42);
  photo().bytes.copy(bytes);
  return { kind: 'image', bytes, contentType: 'image/png', storedType: 'image/png' };
}
