"""imdesk: the incident manager's desktop console. Version and app constants only."""

__version__ = "0.1.0"
APP_NAME = "imdesk"
APP_AUTHOR = "imdesk"
APP_DISPLAY_NAME = "imdesk"
