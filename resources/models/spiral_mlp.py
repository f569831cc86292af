"""A small multilayer perceptron for the spiral data set: 2 features in, 3 classes out.

Import it as a graph and step through its backward pass:

    python main.py import resources/models/spiral_mlp.py --class SpiralMLP \
        --input-shape 8,2 --loss ce --out spiral_mlp.json
    make run FILE=spiral_mlp.json
"""
import torch
from torch import nn


class SpiralMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.act1 = nn.Tanh()
        self.fc2 = nn.Linear(16, 16)
        self.act2 = nn.ReLU()
        self.drop = nn.Dropout(0.1)
        self.fc3 = nn.Linear(16, 3)

    def forward(self, x):
        h = self.act1(self.fc1(x))
        h = self.drop(self.act2(self.fc2(h)))
        return self.fc3(h)          # logits: --loss ce applies softmax cross-entropy


if __name__ == "__main__":
    print(SpiralMLP()(torch.randn(8, 2)).shape)
