"""No cookie sessions: the API is stateless."""
from flask.sessions import NullSession, SessionInterface


class NoCookieSessions(SessionInterface):
    """The API is stateless (bearer tokens): no cookie session to verify on
    every request (Flask's default costs a signing serializer per request).
    Every request shares one empty NullSession, which refuses any write."""

    empty_session = NullSession()

    def open_session(self, app, request):
        return self.empty_session

    def save_session(self, app, session, response):
        return None
