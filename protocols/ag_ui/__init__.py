"""AG-UI (`@ag-ui/client`'s `HttpAgent`, CopilotKit) over the run engine, mounted at `/ag-ui`."""
