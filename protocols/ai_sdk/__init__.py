"""The AI SDK's UI message stream (`useChat`) over the run engine, mounted under `/ai-sdk`."""
