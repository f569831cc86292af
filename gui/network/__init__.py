"""Networks of dense layers in the app: the neuron view (units and weights, one weight's
chain) and the network builder. Everything about the graph comes through GraphModel's
network API (gui/model/network_access.py); the window puts these in place
(``install.install_network``)."""
