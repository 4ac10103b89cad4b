"""Memberships: plans, clients' subscriptions (credits, discount, benefits), renewals."""
