"""LangGraph's Agent Server API over the run engine, mounted under `/langgraph`."""
