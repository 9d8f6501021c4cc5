// Shapes of the JSON API's data (snake_case, as the server sends them).

export interface OrgUnit {
  id: number;
  code: string;
  name: string;
  level: string;
  level_label: string;
  parent_id: number;
}

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: string;
  role_label: string;
  org: OrgUnit;
  disabled?: boolean;
  totp_enabled?: boolean;
  must_change_password?: boolean;
  locked_until?: number;
  last_login_at?: number;
}

export interface Session {
  user: User;
  csrf_token: string;
  /** The permissions of the user's role (data/policy/permissions.csv, from the server). */
  permissions: string[];
  /** Every role, in the server's order, for the user administration forms. */
  roles: { key: string; label: string }[];
  must_change_password: boolean;
  expires_at: number;
  idle_timeout_seconds: number;
}

export interface Stats {
  org: OrgUnit;
  as_of: string;
  residents: number;
  male: number;
  female: number;
  households: number;
  grids: number;
  communities: number;
  migrants: number;
  elderly_living_alone: number;
  moved_out: number;
  deceased: number;
  age: Record<string, number>;
  // The age bands split by sex (same keys as age, without "unknown").
  age_male: Record<string, number>;
  age_female: Record<string, number>;
  places: {
    estates: number;
    buildings: number;
    rooms: number;
    rented: number;
    vacant: number;
    owner_occupied: number;
  };
}

export interface Place {
  id: number;
  kind: "estate" | "building" | "unit" | "room" | string;
  name: string;
  address: string;
  parent_id: number;
  grid_id: number;
  children: number;
  occupants: number | unknown[];
  occupancy: string;
}

export interface CodeValue {
  code: string;
  label: string;
}

export interface CodeTable {
  key: string;
  title: string;
  items: CodeValue[];
}

export type FieldValue = string | CodeValue | null;

export interface PersonHistory {
  date: string;
  event: string;
  field: string;
  old: string;
  new: string;
  reason: string;
  recorded_at: string;
}

export interface HouseholdMember {
  id: number;
  name: string;
  gender: string;
  birth_date: string;
  relation: string;
  status: string;
}

export interface Person {
  id: number;
  community_id: number;
  grid_id: number;
  household_id: number;
  room_id: number;
  status: string;
  status_date: string;
  status_reason: string;
  merged_into: number;
  fields: Record<string, FieldValue>;
  masked_fields: string[];
  history?: PersonHistory[];
  household?: { id: number; members: HouseholdMember[] };
  room?: { id: number; address: string; occupancy: string };
}

export interface SearchHit {
  id: number;
  name: string;
  gender: string;
  birth_date: string;
  id_number: string;
  phone: string;
  address: string;
  community_id: number;
  matched_by: string;
  status: string;
}

export interface ImportError {
  row: number;
  column: string;
  column_letter: string;
  code: number;
  code_name?: string;
  message: string;
}

export interface ImportReport {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: ImportError[];
  normalized: unknown[];
  matched_columns?: string[];
  ignored_columns?: string[];
  header_row?: number;
  dry_run?: boolean;
  /** The header row's cells and the rejected rows' cells as read from the file (IDs masked). */
  header?: string[];
  rows?: { row: number; cells: string[] }[];
}

export interface ImportJob {
  id: string;
  org_id: number;
  file_name: string;
  status: string;
  report: ImportReport;
}

export interface DuplicatePair {
  [key: string]: unknown;
}

export interface AuditRecord {
  [key: string]: unknown;
}

// One entry of an org unit's recent registry changes (GET /org_units/{id}/changes).
export interface Change {
  id: number;
  person_id: number;
  name: string;
  event: string;
  date: string;
  field: string;
  reason: string;
  recorded_at: string;
  grid_id: number;
}
