"""The request of a signed-in user.

Behind `login_required` (pages) or session authentication (the API) `request.user` is always
a `User`, never the anonymous one; views and endpoints there take a `SignedInRequest` so the
user can be handed to an action as it is.
"""

from django.http import HttpRequest

from smertespor.accounts.models import User


class SignedInRequest(HttpRequest):
    user: User
