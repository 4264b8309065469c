# pragma version 0.4.3
# Another build of the same interface, as a tampered pipeline might produce: anyone can take it over.

owner: public(address)


@deploy
def __init__(initial_owner: address):
    self.owner = initial_owner


@external
def take():
    self.owner = msg.sender
