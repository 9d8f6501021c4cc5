// The one HTTP client of the UI: JSON in and out, the error envelope turned into ApiError, the
// CSRF token sent on every state-changing request, and the 简体/繁體 data script header.

export interface FieldError {
  field: string;
  code: number;
  name?: string;
  message: string;
}

export interface ErrorBody {
  code: number;
  name: string;
  message: string;
  params: Record<string, string>;
  fields: FieldError[];
}

export interface Page {
  limit: number;
  offset: number;
  total: number;
}

/** A failed request: the server's envelope, or a network failure (code 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
  get code(): number {
    return this.body.code;
  }
  /** Field errors keyed by field name, for showing each message at its form field. */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.body.fields ?? []) out[f.field] = f.message;
    return out;
  }
}

export const kAuthTotpRequired = 6003;
export const kAuthSessionInvalid = 6007;

interface ClientState {
  csrf: string;
  script: "simplified" | "traditional";
  onUnauthorized: (() => void) | null;
}

const state: ClientState = { csrf: "", script: "simplified", onUnauthorized: null };

export function setCsrfToken(token: string): void {
  state.csrf = token;
}
export function setDataScript(script: "simplified" | "traditional"): void {
  state.script = script;
}
export function onUnauthorized(handler: () => void): void {
  state.onUnauthorized = handler;
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  const url = "/api/v1" + path;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${url}?${s}` : url;
}

interface RequestOptions {
  query?: Query;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
}

async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (state.script === "traditional") headers["X-Linli-Script"] = "traditional";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  let body: BodyInit | undefined = opts.body;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.contentType) {
    headers["Content-Type"] = opts.contentType;
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, {
      code: 0,
      name: "kNetwork",
      message: "无法连接服务器，请检查网络后重试",
      params: {},
      fields: [],
    });
  }
  if (!res.ok) {
    let err: ErrorBody;
    try {
      err = ((await res.json()) as { error: ErrorBody }).error;
    } catch {
      err = {
        code: res.status,
        name: "kHttp",
        message: `服务器错误（${res.status}）`,
        params: {},
        fields: [],
      };
    }
    if (res.status === 401 && err.code === kAuthSessionInvalid && state.onUnauthorized) {
      state.onUnauthorized();
    }
    throw new ApiError(res.status, err);
  }
  return res;
}

/** JSON request; returns the envelope's data. */
export async function request<T>(
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  const res = await send(method, path, opts);
  if (res.status === 204) return undefined as T;
  return ((await res.json()) as { data: T }).data;
}

/** JSON list request; returns data and the page. */
export async function requestPage<T>(
  path: string,
  query?: Query,
): Promise<{ data: T[]; page: Page }> {
  const res = await send("GET", path, { query });
  return (await res.json()) as { data: T[]; page: Page };
}

/** A request answered with a file: returns the blob and the file name from Content-Disposition. */
export async function requestFile(
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<{ blob: Blob; fileName: string }> {
  const res = await send(method, path, opts);
  const cd = res.headers.get("Content-Disposition") ?? "";
  let fileName = "download";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="([^"]+)"/i.exec(cd);
  if (star) fileName = decodeURIComponent(star[1]);
  else if (plain) fileName = plain[1];
  return { blob: await res.blob(), fileName };
}

/** Saves a blob through a temporary link (the browser's download). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
