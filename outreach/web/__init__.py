"""The organisers' web console (`outreach web`): server-rendered pages over the application.

Starlette routes, Jinja2 templates, served by uvicorn on 127.0.0.1 behind the
organisation's reverse proxy. It starts from the same application object as
the CLI and the admin bot (outreach.app.App): its config, ledger and clock;
it has no store, rendering or queueing of its own. Everything essential works
without JavaScript; static/console.js only applies filters on change and
asks before a cancel, static/compose.js refreshes the composer's previews.
Nothing is loaded from anywhere but this origin (CSP).

The rooms::

    app.py        create_app(application) -> Starlette; security headers, request log
    kit.py        what every page uses: @page(role), @action(role), render, done, refuse
    auth.py       sessions, passwords (Argon2), sign-in throttling
    csrf.py       the CSRF token of a form      roles.py     viewer < organiser < admin
    tokens.py     random tokens and their hashes; the admin bot's sign-in links
    i18n.py       the words (strings.yaml: be, ru, en, fr), the request's language, dates
    signin.py     /signin (password), /signin/link (one-time link), /signout
    queue.py      /queue and the delivery actions (cancel, retry, resolve)
    history.py    /history: deliveries done, and the audit trail of who did what
    changes.py    corrections and takedowns of sent posts: the plan, the confirmation, the
                  platforms' answers (outreach/corrections/ does the work, as for CLI and bot)
    status.py     /status: heartbeat, instances, overdue posts, feeds, credentials (doctor's)
    shown.py      what a page shows of others' text: no control characters, no bidi overrides
    pause.py      /pause, /resume: everything or a channel, now or until a time
    composer.py   /compose: write an announcement, see each channel's post, save it
    compose_form.py  what the composer's form says (read by announcements.draft)
    users.py      /users: local accounts (admins)
    templates/    base.html (the layout), _macros.html, one template per page
    static/       console.css, console.js: ours, vendored, never from a CDN

How to add a page (e.g. a calendar):

1. A module here, say calendar.py, with plain functions (they run in a worker
   thread, so they may call the ledger directly) and a `routes` list::

       from starlette.routing import Route
       from .kit import action, console_of, done, page, render

       @page("viewer")                         # signed in, at least a viewer
       def calendar(request, who):
           ledger = console_of(request).ledger # the application's ledger and config
           return render(request, "calendar.html", weeks=...)

       @action("organiser")                    # POST: Origin, session, CSRF and role checked
       def move(request, who, form):           # form: the fields, token already checked
           ...                                 # call the application; pass by=who.actor
           return done(request, "/calendar", "done.moved", id=...)   # 303 + a note

       routes = [Route("/calendar", calendar, methods=["GET"]),
                 Route("/calendar/{id}/move", move, methods=["POST"])]

   An OutreachError raised in an action is shown as "Nothing was changed: ..."
   (409); never catch it to hide it.
2. Add `*calendar.routes` in app.py's create_app, and the menu entry in
   templates/base.html (its list of (href, key, role)).
3. templates/calendar.html: `{% extends "base.html" %}`, a `title` and a
   `content` block; every form carries `{{ m.csrf() }}` (import
   "_macros.html" as m with context); every field has a <label>; times
   through `when(moment)` (campaign zone, reader's language).
4. Every word through `t("key")`, with the key in strings.yaml in all four
   languages (done.* keys are the notes `done` shows); tests/test_web_i18n.py
   fails otherwise.
5. Tests: tests/test_web_security.py checks every POST route it finds in the
   app refuses a missing CSRF token, a signed-out and an under-privileged
   user (add your route's role to its table); tests/test_web_browser.py runs
   axe-core on every page listed in its PAGES, at 1280 and 390 px.
"""
