"""Follow and unfollow in the caller's transaction, the feed kept right
(feeds.py): what the native API's PUT/DELETE /users/{id}/follow and
RealWorld's /api/profiles/{username}/follow both do. Runs
sql/queries/follows.sql."""

FOLLOWING_CAP = 5000


class FollowingCapReached(Exception):
    """The follower already follows `cap` users."""

    def __init__(self, cap):
        super().__init__(cap)
        self.message = f"You follow {cap:,} users, the most one account may."


def follow(conn, follows, feeds, follower_id, followee_id, cap=FOLLOWING_CAP):
    """Idempotent; a missing followee fails on the foreign key."""
    if follows.is_following(conn, follower_id=follower_id, followee_id=followee_id):
        return
    if follows.count_following(conn, follower_id=follower_id, cap=cap) >= cap:
        raise FollowingCapReached(cap)
    follows.follow_user(conn, follower_id=follower_id, followee_id=followee_id)
    feeds.follow(conn, follower_id, followee_id)


def unfollow(conn, follows, feeds, follower_id, followee_id):
    """Idempotent; True when there was a follow to remove."""
    removed = follows.unfollow_user(conn, follower_id=follower_id, followee_id=followee_id)
    if removed:
        feeds.unfollow(conn, follower_id, followee_id)
    return removed
