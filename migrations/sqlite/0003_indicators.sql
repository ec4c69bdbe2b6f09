-- Indicators: the catalogue (data, not code), campaigns and targets, commune declarations, and
-- per-village counters maintained with the projection plus their daily snapshots.

-- Each indicator is a numerator counter over a denominator counter (names of village_stats
-- columns) for survey indicators, or a value the commune declares.
CREATE TABLE indicators (
    id             INTEGER PRIMARY KEY,
    name_vi        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('survey', 'declared')),
    numerator      TEXT,
    denominator    TEXT,
    default_target REAL NOT NULL
);

INSERT INTO indicators (id, name_vi, name_en, source, numerator, denominator, default_target) VALUES
 (1, 'Lãnh đạo, công chức xã làm việc hoàn toàn trên môi trường điện tử', 'Commune leaders and officials work fully electronically', 'declared', NULL, NULL, 1.0),
 (2, 'Lãnh đạo, công chức xã có chứng thư số', 'Commune leaders and officials have a digital-signature certificate', 'declared', NULL, NULL, 1.0),
 (3, 'Văn bản được tạo lập, xử lý, ký số trên môi trường điện tử (trừ văn bản mật)', 'Documents created, processed and signed electronically (except secret)', 'declared', NULL, NULL, 1.0),
 (4, 'Cán bộ, công chức có hộp thư điện tử công vụ', 'Officials have an official e-mail account', 'declared', NULL, NULL, 1.0),
 (5, 'Hồ sơ tiếp nhận và giải quyết trực tuyến', 'Dossiers received and settled online', 'declared', NULL, NULL, 0.9),
 (6, 'Người dân có điện thoại thông minh', 'People with a smartphone', 'survey', 'p_smartphone', 'p_surveyed', 0.8),
 (7, 'Người dân trên 15 tuổi có tài khoản ngân hàng hoặc tài khoản thanh toán khác', 'People over 15 with a bank or other payment account', 'survey', 'p_payment', 'p_surveyed', 0.75),
 (8, 'Người dân có tài khoản định danh điện tử (VNeID)', 'People with an electronic identification (VNeID) account', 'survey', 'p_vneid', 'p_surveyed', 0.8),
 (9, 'Người dân có chữ ký số cá nhân', 'People with a personal electronic signature', 'survey', 'p_esign', 'p_surveyed', 0.5),
 (10, 'Người dân được phổ biến, tập huấn kỹ năng số cơ bản và dịch vụ trực tuyến', 'People informed or trained in basic digital skills and online services', 'survey', 'p_trained', 'p_surveyed', 0.8),
 (11, 'Người dân sử dụng nền tảng số để trao đổi thông tin với chính quyền', 'People using a digital platform to exchange information with the authorities', 'survey', 'p_platform', 'p_surveyed', 0.8),
 (12, 'Doanh nghiệp sử dụng dịch vụ công trực tuyến có định danh điện tử', 'Businesses using online public services with e-identification', 'declared', NULL, NULL, 0.8),
 (13, 'Thuê bao điện thoại thông minh sử dụng phần mềm an toàn thông tin cơ bản', 'Smartphone subscribers using basic cyber-safety software', 'survey', 'p_smartphone_cyber', 'p_smartphone', 0.8),
 (14, 'Người dân sử dụng dịch vụ công trực tuyến có định danh điện tử', 'People using online public services with seamless e-identification', 'survey', 'p_online_eid', 'p_surveyed', 0.8),
 (15, 'Hộ gia đình thanh toán tiền điện không dùng tiền mặt', 'Households paying electricity without cash', 'survey', 'h_elec_cashless', 'h_surveyed', 0.6),
 (16, 'Wi-Fi công cộng tại các điểm trọng yếu', 'Public Wi-Fi at key places (commune office, cultural houses, tourist sites)', 'declared', NULL, NULL, 1.0);

-- A survey campaign (plan); its baseline date anchors "before".
CREATE TABLE campaigns (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    baseline_date TEXT NOT NULL,
    start_date    TEXT,
    end_date      TEXT,
    created_at    INTEGER NOT NULL
);

-- Target overrides: for a unit's subtree and/or a campaign; the most specific wins.
CREATE TABLE targets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    unit_code    TEXT REFERENCES units (code),
    campaign_id  INTEGER REFERENCES campaigns (id),
    target       REAL NOT NULL,
    set_by       TEXT NOT NULL,
    set_at       INTEGER NOT NULL
);
CREATE INDEX targets_indicator ON targets (indicator_id);

-- Values the commune declares (indicators 1–5, 12, 16); append-only, the latest by date counts.
CREATE TABLE declared_values (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_code    TEXT NOT NULL REFERENCES units (code),
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    numerator    INTEGER NOT NULL,
    denominator  INTEGER NOT NULL,
    value_date   TEXT NOT NULL,
    note         TEXT,
    entered_by   TEXT NOT NULL,
    entered_at   INTEGER NOT NULL
);
CREATE INDEX declared_values_unit ON declared_values (unit_code, indicator_id, value_date);

-- Counters per village, recomputed from the village's projected rows whenever they change.
CREATE TABLE village_stats (
    village_code       TEXT PRIMARY KEY,
    h_known            INTEGER NOT NULL DEFAULT 0,
    h_visited          INTEGER NOT NULL DEFAULT 0,
    h_surveyed         INTEGER NOT NULL DEFAULT 0,
    h_elec_cashless    INTEGER NOT NULL DEFAULT 0,
    h_water_cashless   INTEGER NOT NULL DEFAULT 0,
    h_business         INTEGER NOT NULL DEFAULT 0,
    h_business_qr      INTEGER NOT NULL DEFAULT 0,
    p_known            INTEGER NOT NULL DEFAULT 0,
    p_surveyed         INTEGER NOT NULL DEFAULT 0,
    p_cccd             INTEGER NOT NULL DEFAULT 0,
    p_vneid            INTEGER NOT NULL DEFAULT 0,
    p_phone            INTEGER NOT NULL DEFAULT 0,
    p_smartphone       INTEGER NOT NULL DEFAULT 0,
    p_own_sim          INTEGER NOT NULL DEFAULT 0,
    p_public_service   INTEGER NOT NULL DEFAULT 0,
    p_payment          INTEGER NOT NULL DEFAULT 0,
    p_esign            INTEGER NOT NULL DEFAULT 0,
    p_province_app     INTEGER NOT NULL DEFAULT 0,
    p_cyber_safety     INTEGER NOT NULL DEFAULT 0,
    p_smartphone_cyber INTEGER NOT NULL DEFAULT 0,
    p_trained          INTEGER NOT NULL DEFAULT 0,
    p_platform         INTEGER NOT NULL DEFAULT 0,
    p_online_eid       INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL
);

-- The same counters as they stood at the end of each day (Vietnam time) a village changed.
CREATE TABLE stats_snapshots (
    day                TEXT NOT NULL,
    village_code       TEXT NOT NULL,
    h_known            INTEGER NOT NULL DEFAULT 0,
    h_visited          INTEGER NOT NULL DEFAULT 0,
    h_surveyed         INTEGER NOT NULL DEFAULT 0,
    h_elec_cashless    INTEGER NOT NULL DEFAULT 0,
    h_water_cashless   INTEGER NOT NULL DEFAULT 0,
    h_business         INTEGER NOT NULL DEFAULT 0,
    h_business_qr      INTEGER NOT NULL DEFAULT 0,
    p_known            INTEGER NOT NULL DEFAULT 0,
    p_surveyed         INTEGER NOT NULL DEFAULT 0,
    p_cccd             INTEGER NOT NULL DEFAULT 0,
    p_vneid            INTEGER NOT NULL DEFAULT 0,
    p_phone            INTEGER NOT NULL DEFAULT 0,
    p_smartphone       INTEGER NOT NULL DEFAULT 0,
    p_own_sim          INTEGER NOT NULL DEFAULT 0,
    p_public_service   INTEGER NOT NULL DEFAULT 0,
    p_payment          INTEGER NOT NULL DEFAULT 0,
    p_esign            INTEGER NOT NULL DEFAULT 0,
    p_province_app     INTEGER NOT NULL DEFAULT 0,
    p_cyber_safety     INTEGER NOT NULL DEFAULT 0,
    p_smartphone_cyber INTEGER NOT NULL DEFAULT 0,
    p_trained          INTEGER NOT NULL DEFAULT 0,
    p_platform         INTEGER NOT NULL DEFAULT 0,
    p_online_eid       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (village_code, day)
);
CREATE INDEX stats_snapshots_day ON stats_snapshots (day);
