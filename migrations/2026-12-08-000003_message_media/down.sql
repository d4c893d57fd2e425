DROP TABLE message_media;
