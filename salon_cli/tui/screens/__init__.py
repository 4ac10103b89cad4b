"""The dashboard's screens, by area: the book (`book.today`, the base screen, and `book.no_shows`), clients
(`clients.search`, `clients.client_card` with its `loyalty_card` pieces), the till (`till.checkout`) and
the close (`closing.close_day`); and what they share here: the small modals (sign in, PIN, a short
form), the help screen and `ReloadsWhenBack`."""
