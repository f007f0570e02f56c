/**
 * The share link's fragment: a report as `r=<version>.<payload>`, the payload being base64url of one flag byte
 * and the report's JSON compressed with zlib DEFLATE (the browser's and Node's own CompressionStream; its
 * checksum turns a link damaged in transit into an error, not into other numbers), or, with a
 * password, that compressed JSON sealed with AES-GCM under a key derived by PBKDF2-SHA-256. A fragment never
 * reaches the host that serves the page.
 */

/** The format of a link's payload; a link of another version is refused with its own message. */
export const LINK_VERSION = 1;
/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;

type Bytes = Uint8Array<ArrayBuffer>;

const PLAIN = 0;
const SEALED = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;

export type LinkProblem = 'malformed' | 'version' | 'password_needed' | 'password_wrong';

/** Why a fragment could not be opened; `code` picks the reader's message. */
export class LinkError extends Error {
  constructor(
    readonly code: LinkProblem,
    readonly version?: string,
  ) {
    super(`share link: ${code}${version ? ` (version ${version})` : ''}`);
    this.name = 'LinkError';
  }
}

/** The fragment (without `#`) that carries `value`, sealed when a password is given. */
export async function encodeFragment(value: unknown, password?: string): Promise<string> {
  const packed = await deflate(new TextEncoder().encode(JSON.stringify(value)));
  const body = password ? await seal(packed, password) : concat(Uint8Array.of(PLAIN), packed);
  return `r=${LINK_VERSION}.${toBase64Url(body)}`;
}

/** Whether a fragment (with or without `#`) holds a report at all. */
export function isReportFragment(fragment: string): boolean {
  return /^#?r=/.test(fragment);
}

/** Whether a report fragment needs a password to open. */
export function isSealed(fragment: string): boolean {
  const { body } = split(fragment);
  return body[0] === SEALED;
}

/** The value a fragment carries; throws a LinkError saying what is wrong with it. */
export async function decodeFragment<T = unknown>(fragment: string, password?: string): Promise<T> {
  const { body } = split(fragment);
  let packed: Bytes;
  if (body[0] === PLAIN) packed = body.subarray(1);
  else if (body[0] === SEALED) {
    if (!password) throw new LinkError('password_needed');
    packed = await unseal(body, password);
  } else throw new LinkError('malformed');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await inflate(packed))) as T;
  } catch {
    throw new LinkError('malformed');
  }
}

function split(fragment: string): { body: Bytes } {
  const m = /^#?r=([^.]*)\.(.*)$/s.exec(fragment.trim());
  if (!m) throw new LinkError('malformed');
  if (m[1] !== String(LINK_VERSION)) throw new LinkError('version', m[1].slice(0, 12));
  const body = fromBase64Url(m[2]);
  if (!body || body.length < 2) throw new LinkError('malformed');
  return { body };
}

async function seal(packed: Bytes, password: string): Promise<Bytes> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const key = await deriveKey(password, salt);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, packed));
  return concat(Uint8Array.of(SEALED), salt, iv, sealed);
}

async function unseal(body: Bytes, password: string): Promise<Bytes> {
  const salt = body.subarray(1, 1 + SALT_BYTES);
  const iv = body.subarray(1 + SALT_BYTES, 1 + SALT_BYTES + IV_BYTES);
  const sealed = body.subarray(1 + SALT_BYTES + IV_BYTES);
  if (sealed.length < 16) throw new LinkError('malformed');
  const key = await deriveKey(password, salt);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed));
  } catch {
    // AES-GCM cannot tell a wrong password from a damaged link: the tag fails either way.
    throw new LinkError('password_wrong');
  }
}

async function deriveKey(password: string, salt: Bytes): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt, iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function deflate(bytes: Bytes): Promise<Bytes> {
  return pipe(bytes, new CompressionStream('deflate'));
}

async function inflate(bytes: Bytes): Promise<Bytes> {
  return pipe(bytes, new DecompressionStream('deflate'));
}

async function pipe(bytes: Bytes, stream: CompressionStream | DecompressionStream): Promise<Bytes> {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toBase64Url(bytes: Bytes): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Bytes | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
