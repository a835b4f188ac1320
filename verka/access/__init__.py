"""Who may reach what, decided in one place per object kind and used by the web views and the
REST API alike (docs/api.md, "Authorisation").

The caller is a user; an API token acts as its owner. Roles (callers.py):

- the digitalisation team (`digitalisering` group, and superusers) reaches everything;
- an officer (a staff member) reaches the tasks offered to their groups or to them, the cases of
  the processes they have such tasks in, and the processes their groups are granted
  (`workspace.ProcessAccess`); they read, they do not run the engine;
- a service account reaches only what its `accounts.ServiceGrant`s name;
- a citizen reaches their own cases on My pages and nothing through the API.

Whatever a caller may not see does not exist for them: lists leave it out and single objects are
404, never 403, so that keys and case numbers cannot be probed. Every read or change of a case's
personal data is written to the access log (log.py).
"""
