"""Staff operations: documents, approved answers, exports, logins."""
