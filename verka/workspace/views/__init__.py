"""Views of the staff workspace: inbox, task, case and operations pages."""
