"""What the app keeps besides the index, opened once by an entry point and passed down: the
approved answers, the conversation log with its feedback, and the staff API keys, all in one
database (`db.py`)."""

from dataclasses import dataclass
from pathlib import Path

from app.settings import Settings

from .api_keys import ApiKeys
from .approved import LEGACY_FILE, ApprovedLibrary, migrate_json
from .conversations import ConversationLog
from .db import Database, open_database


@dataclass
class AppState:
    database: Database
    library: ApprovedLibrary
    conversations: ConversationLog
    api_keys: ApiKeys

    def close(self) -> None:
        self.database.close()


def open_state(settings: Settings) -> AppState:
    """Open the database (tables made on first use), move a legacy `approved.json` from the
    store folder into it, and purge conversations past their retention. Raises
    DatabaseUnavailable with the reason when the database cannot be reached."""
    database = open_database(settings)
    migrate_json(database, Path(settings.store) / LEGACY_FILE)
    conversations = ConversationLog(database, settings.log_retention_days)
    conversations.purge()
    return AppState(database, ApprovedLibrary(database), conversations, ApiKeys(database))
