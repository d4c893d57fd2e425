DROP TABLE ai_reply_traces;
