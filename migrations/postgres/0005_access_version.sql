-- A counter that moves whenever what a user may reach changes (role, scope, disabled state,
-- assignments, sessions, the unit tree). A replica checks it inside the transaction that stores
-- a phone's changes, so a write decided under access that was since taken away is refused even
-- before the change is announced to that replica.
ALTER TABLE users ADD COLUMN access_version INTEGER NOT NULL DEFAULT 0;
