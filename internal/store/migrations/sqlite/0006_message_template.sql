-- Template replies: a reply an agent sent as an approved WhatsApp template (the only kind
-- WhatsApp delivers more than 24 hours after the customer last wrote) says so on the message,
-- so that the send job, and any retry of it, sends the real template and not free text.

ALTER TABLE messages ADD COLUMN template INTEGER NOT NULL DEFAULT 0;
