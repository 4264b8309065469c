# pragma version 0.4.3
# The reviewed contract of the verified-deployment test: its owner is set once, by the constructor.

owner: public(address)


@deploy
def __init__(initial_owner: address):
    self.owner = initial_owner
