"""The till: sales, payments and refunds, gift cards, and the checkout that composes them."""
