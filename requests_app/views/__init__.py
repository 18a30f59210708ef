"""Views of 依申请公开: ``public`` (applicants, no account) and ``staff`` (/ysq/staff/)."""
