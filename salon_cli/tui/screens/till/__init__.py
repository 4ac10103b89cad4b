"""The till on screen: the checkout, its text and its Stripe card-reader payment."""
