"""The window's panes: task detail and progress editor."""
