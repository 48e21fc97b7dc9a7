"""The models that write summaries, behind one interface (``base.ChatModel``): ``local`` runs a
GGUF with llama.cpp in this process, ``worker`` runs it in a child process, ``remote`` asks an
OpenAI-compatible server; ``factory.open_model`` picks one from the settings."""
