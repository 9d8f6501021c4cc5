// One function per API route used by the UI (verbNounApi), typed with api/types.ts.
import { request, requestFile, requestPage } from "./client";
import type {
  AuditRecord,
  Change,
  CodeTable,
  DuplicatePair,
  ImportJob,
  OrgUnit,
  Person,
  Place,
  SearchHit,
  Session,
  Stats,
  User,
} from "./types";

export const createSessionApi = (body: {
  username: string;
  password: string;
  totp_code?: string;
}) => request<Session>("POST", "/sessions", { json: body });
export const getSessionApi = () => request<Session>("GET", "/session");
export const deleteSessionApi = () => request<void>("DELETE", "/session");
export const changePasswordApi = (old_password: string, new_password: string) =>
  request<Session>("POST", "/session/password", { json: { old_password, new_password } });

export const listCodeTablesApi = () => request<CodeTable[]>("GET", "/code_tables");

export const listOrgUnitsApi = () => request<OrgUnit[]>("GET", "/org_units");
export const getOrgStatsApi = (id: number) => request<Stats>("GET", `/org_units/${id}/stats`);
export const listOrgChangesApi = (id: number, limit = 10) =>
  request<Change[]>("GET", `/org_units/${id}/changes?limit=${limit}`);

export const listPlacesApi = (query: { org_id?: number; parent_id?: number }) =>
  requestPage<Place>("/places", query);
export const getPlaceApi = (id: number) =>
  request<Place & { occupants: Person[] }>("GET", `/places/${id}`);

export const listPersonsApi = (query: {
  org_id?: number;
  status?: string;
  limit?: number;
  offset?: number;
}) => requestPage<Person>("/persons", query);
export const searchPersonsApi = (q: string, limit = 20, org_id?: number) =>
  request<SearchHit[]>("GET", "/persons/search", { query: { q, limit, org_id } });
export const getPersonApi = (id: number) => request<Person>("GET", `/persons/${id}`);
export const createPersonApi = (body: Record<string, unknown>) =>
  request<Person>("POST", "/persons", { json: body });
export const updatePersonApi = (id: number, body: Record<string, unknown>) =>
  request<Person>("PATCH", `/persons/${id}`, { json: body });
export const revealFieldApi = (id: number, field: string, reason: string) =>
  request<{ field: string; value: string }>("POST", `/persons/${id}/reveal`, {
    json: { field, reason },
  });
export const movePersonApi = (
  id: number,
  body: { address: string; date: string; reason: string },
) => request<Person>("POST", `/persons/${id}/moves`, { json: body });
export const endPersonApi = (id: number, body: { status: string; date: string; reason: string }) =>
  request<Person>("POST", `/persons/${id}/end`, { json: body });

export const getHouseholdApi = (id: number) =>
  request<{ id: number; address: string; head_person_id: number; members: Person[] }>(
    "GET",
    `/households/${id}`,
  );
export const updateHouseholdApi = (
  id: number,
  body: {
    address?: string;
    date?: string;
    head_person_id?: number;
    former_head_relation?: string;
    reason: string;
  },
) => request<unknown>("PATCH", `/households/${id}`, { json: body });
export const addHouseholdMemberApi = (
  id: number,
  body: { person_id: number; relation: string; reason: string },
) => request<unknown>("POST", `/households/${id}/members`, { json: body });
export const removeHouseholdMemberApi = (id: number, person_id: number, reason: string) =>
  request<unknown>("DELETE", `/households/${id}/members/${person_id}`, { json: { reason } });

export const listDuplicatesApi = (org_id?: number) =>
  request<DuplicatePair[]>("GET", "/duplicates", { query: { org_id } });
export const mergeDuplicatesApi = (kept_id: number, merged_id: number, reason: string) =>
  request<unknown>("POST", "/duplicates/merge", { json: { kept_id, merged_id, reason } });

export const createImportApi = (org_id: number, file: File) =>
  request<ImportJob>("POST", "/imports", {
    query: { org_id, file_name: file.name },
    body: file,
    contentType: "application/octet-stream",
  });
export const getImportApi = (id: string) => request<ImportJob>("GET", `/imports/${id}`);
export const confirmImportApi = (id: string) =>
  request<ImportJob>("POST", `/imports/${id}/confirm`);
export const downloadImportErrorsApi = (id: string) => requestFile("GET", `/imports/${id}/errors`);

export const exportRegistryApi = (org_id: number) =>
  requestFile("POST", "/exports", { json: { org_id } });

export const listUsersApi = () => request<User[]>("GET", "/users");
export const createUserApi = (body: Record<string, unknown>) =>
  request<Record<string, unknown>>("POST", "/users", { json: body });
export const updateUserApi = (id: number, body: { role?: string; disabled?: boolean }) =>
  request<User>("PATCH", `/users/${id}`, { json: body });
export const resetUserPasswordApi = (id: number, password: string) =>
  request<Record<string, unknown>>("POST", `/users/${id}/password`, { json: { password } });
export const resetUserTotpApi = (id: number) =>
  request<Record<string, unknown>>("POST", `/users/${id}/totp`, { json: {} });
export const unlockUserApi = (id: number) =>
  request<unknown>("POST", `/users/${id}/unlock`, { json: {} });

export const listAuditRecordsApi = (query: Record<string, string | number | undefined>) =>
  request<{ records: AuditRecord[]; next_cursor: string | number | null }>(
    "GET",
    "/audit_records",
    {
      query,
    },
  );
export const verifyAuditApi = () =>
  request<Record<string, unknown>>("GET", "/audit_records/verify");
