"""Staff workspace: task inbox, task and case views, operations for the digitalisation team."""
