-- Teams run from the browser: service accounts kept out of teams, accounts without a password
-- yet (signed in with a one-time code), lost phones whose data must be wiped, the last stored
-- sync of every device, and one-time sign-in codes.

-- 1 for accounts that are not people (the demo seeder): never listed as team members.
ALTER TABLE users ADD COLUMN service BIGINT NOT NULL DEFAULT 0;
-- 0 while the account has only a random password nobody knows (created for sign-in codes).
ALTER TABLE users ADD COLUMN password_set BIGINT NOT NULL DEFAULT 1;

-- 1 when the session was revoked as a lost phone or a disabled account: the phone is told
-- `device_revoked` and deletes its copy of the village data.
ALTER TABLE device_sessions ADD COLUMN wipe BIGINT NOT NULL DEFAULT 0;

-- When the server last stored changes from (user, device), written in the write transaction.
CREATE TABLE device_syncs (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    device_id    TEXT NOT NULL,
    last_sync_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id)
);

-- One-time sign-in codes a lead shows (as text or QR) to a member's phone. Stored as SHA-256
-- hashes; single use, short-lived, one unused code per user at a time.
CREATE TABLE sign_in_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sign_in_codes_user ON sign_in_codes (user_id);
