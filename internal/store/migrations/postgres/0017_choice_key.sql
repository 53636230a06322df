-- The question a message's buttons answer (a guided flow's step, the bot's "did this help?"),
-- as a short key. Providers whose buttons carry data (Telegram's callback_data) send it with
-- every button, and a press comes back with it, so the bot can tell a press on the question it
-- is waiting for from one on an older message's keyboard, which the customer's app keeps.
-- Empty for a message whose buttons name no question (a survey's scores).
ALTER TABLE messages ADD COLUMN choice_key TEXT NOT NULL DEFAULT '';
