"""Content writers: the offline template writer and the LLM writers behind one port."""
