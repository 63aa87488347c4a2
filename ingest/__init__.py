"""The write path of newsbot: read sources, extract text, chunk, embed, upsert."""
