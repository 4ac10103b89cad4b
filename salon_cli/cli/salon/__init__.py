"""The salon itself: setting up and the dashboard (`setup`), locations and their policy (`locations`),
opening hours and staff hours and time off (`hours`), staff (`staff`), the menu and the shelf (`catalog`), the audit log and cron runs (`audit`)."""
