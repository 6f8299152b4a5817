"""Server-rendered pages for phones and the staff's desktop, by audience and domain.

`worker/`, `employer/` and `staff/` hold the routes of each audience (their templates sit in
`web/templates/<audience>/`); `auth` and `pwa` are everyone's; `site` mounts them all.
Who may see a page is checked by the same dependencies as the API (`web.deps`); a refusal
is rendered as a page by `web.errors.pages`.
"""
