// Generated from server/survey/schema.rs by `KHAOSAT_WRITE_SCHEMA=1 cargo test typescript_schema`.
// Do not edit: change the Rust schema and regenerate. See docs/SCHEMA.md.

export const SCHEMA_VERSION = 1;

export type Sex = "male" | "female" | "other";
export type VisitOutcome = "surveyed" | "nobody_home" | "refused" | "come_back_later";
export type HelpedWith = "installed_vneid" | "installed_province_app" | "installed_cyber_safety_app" | "opened_payment_account" | "issued_e_signature" | "registered_public_service";

export const HOUSEHOLD_FLAGS = ["pays_electricity_cashless", "pays_water_cashless", "has_business", "business_has_qr"] as const;
export const PERSON_FLAGS = ["has_cccd", "has_phone", "has_smartphone", "own_sim", "has_public_service_account", "has_payment_account", "has_e_signature", "has_province_app", "has_cyber_safety_app", "trained_digital_skills", "uses_digital_platform", "used_online_service_eid"] as const;
export const VISIT_OUTCOMES = ["surveyed", "nobody_home", "refused", "come_back_later"] as const;
export const HELPED_WITH = ["installed_vneid", "installed_province_app", "installed_cyber_safety_app", "opened_payment_account", "issued_e_signature", "registered_public_service"] as const;

/** What a visit helped with, as the plans name it (vi) and in English. */
export const HELPED_LABELS: Record<HelpedWith, { vi: string; en: string }> = {
  installed_vneid: { vi: "Cài đặt, kích hoạt VNeID", en: "Installed and activated VNeID" },
  installed_province_app: { vi: "Cài đặt ứng dụng của tỉnh", en: "Installed the province app" },
  installed_cyber_safety_app: { vi: "Cài đặt ứng dụng an toàn thông tin mạng", en: "Installed a cyber-safety app" },
  opened_payment_account: { vi: "Mở tài khoản thanh toán điện tử", en: "Opened an electronic payment account" },
  issued_e_signature: { vi: "Hỗ trợ đăng ký chữ ký số", en: "Helped register a digital signature" },
  registered_public_service: { vi: "Tạo tài khoản Cổng dịch vụ công", en: "Created a public-service portal account" },
};

/** Strings are written as Automerge ImmutableString; the server also reads text. */
export interface Person {
  full_name?: string;
  birth_year?: number;
  sex?: Sex;
  cccd?: string;
  phone?: string;
  deleted?: boolean;
  /** 0 none, 1 level 1, 2 level 2 */
  vneid_level?: 0 | 1 | 2 | null;
  has_cccd?: boolean | null;
  has_phone?: boolean | null;
  has_smartphone?: boolean | null;
  own_sim?: boolean | null;
  has_public_service_account?: boolean | null;
  has_payment_account?: boolean | null;
  has_e_signature?: boolean | null;
  has_province_app?: boolean | null;
  has_cyber_safety_app?: boolean | null;
  trained_digital_skills?: boolean | null;
  uses_digital_platform?: boolean | null;
  used_online_service_eid?: boolean | null;
}

export interface Visit {
  /** Unix milliseconds */
  at: number;
  by: string;
  outcome: VisitOutcome;
  helped?: Partial<Record<HelpedWith, boolean>>;
  note?: string;
}

export interface Household {
  head_name?: string;
  address?: string;
  phone?: string;
  pays_electricity_cashless?: boolean | null;
  pays_water_cashless?: boolean | null;
  has_business?: boolean | null;
  business_has_qr?: boolean | null;
  deleted?: boolean;
  duplicate_of?: string;
  created_at?: number;
  created_by?: string;
  persons?: Record<string, Person>;
  visits?: Record<string, Visit>;
}

export interface VillageDocument {
  schema_version: number;
  village_code: string;
  households: Record<string, Household>;
}

/** The types of a survey definition's fields (docs/SCHEMA.md, "Survey definition"). */
export const FIELD_TYPES = ["yes_no", "choice", "choices", "number", "year", "text", "phone", "citizen_id", "date"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Keys the document keeps for itself in each section: no field may take them. */
export const RESERVED_KEYS = { household: ["deleted", "duplicate_of", "created_at", "created_by", "persons", "visits", "latest_visit"], person: ["deleted"], visit: ["at", "by"] } as const;
