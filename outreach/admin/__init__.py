"""The organisers' Telegram bot and their failure alerts.

- `bot.py`: python-telegram-bot wired to the console (the only module here that knows Telegram);
- `console.py`: what the bot's commands do (schedule with confirmation, cancel, retry, pause...);
- `views.py`: what the bot shows (queue, history, previews, status), as plain text;
- `alerts.py`: every failure heard once, in the organisers' chat.
"""
