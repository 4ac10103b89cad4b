"""The till: sales, payments and refunds, gift cards (the pieces, which know nothing of memberships,
penalties or loyalty), and the composition above them: `tickets` opens a sale, `tenders` takes every
tender and runs what a sale's money sets off, `penalty_fees` and `membership_fees` carry fees."""
