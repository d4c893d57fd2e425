ALTER TABLE api_tokens DROP COLUMN scope;
ALTER TABLE sessions DROP COLUMN ip, DROP COLUMN user_agent, DROP COLUMN last_seen_at;
DROP TABLE auth_attempts;
