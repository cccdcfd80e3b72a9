"""Random-weight face restorers (spandrel's GFPGAN and CodeFormer architectures) and a hand-built YuNet-format
face detector, saved the way a user imports them (.safetensors), for the face restoration tests.

The detector is a real ONNX graph in the layout OpenCV's FaceDetectorYN reads (cls/obj/bbox/kps outputs at
strides 8, 16 and 32), with weights chosen so that it "sees a face" in every 32x32 cell that is mostly red: a
128x128 face box centred on the cell, with landmarks where the FFHQ template puts them. It exercises OpenCV's real
decoding, NMS and the worker's alignment and paste-back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

FACE_BOX = 128  # the synthetic detector's face size (pixels)


def gfpgan_file(path: Path) -> Path:
    from easel_worker.engine.faces import _spandrel

    _spandrel()
    from spandrel.architectures.GFPGAN import GFPGAN

    torch.manual_seed(0)
    net = GFPGAN(out_size=512, num_style_feat=512, channel_multiplier=2, decoder_load_path=None, fix_decoder=False,
                 num_mlp=8, input_is_latent=True, different_w=True, narrow=1, sft_half=True)
    _save(net, path)
    return path


def codeformer_file(path: Path) -> Path:
    from easel_worker.engine.faces import _spandrel

    _spandrel()
    from spandrel_extra_arches.architectures.CodeFormer import CodeFormer

    torch.manual_seed(0)
    net = CodeFormer()
    _save(net, path)
    return path


def _save(net: torch.nn.Module, path: Path) -> None:
    """As half floats (half the file; the loader copies them into the float32 network)."""
    save_file({k: v.detach().half().contiguous() if v.is_floating_point() else v.contiguous()
               for k, v in net.state_dict().items()}, str(path))


def red_face_detector_onnx() -> bytes:
    """A YuNet-format ONNX graph that finds a FACE_BOX face at each 32x32 cell whose mean red exceeds its green and
    blue by 0.4 (input: BGR 0..255, as OpenCV feeds it)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, outputs = [], [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    # template landmarks relative to a FACE_BOX box centred on the cell centre, in units of the stride
    template = np.array([[192.98, 239.95], [318.90, 240.19], [256.63, 314.02], [201.26, 371.41],
                         [313.09, 371.15]]) / 512 * FACE_BOX - FACE_BOX / 2
    for stride in (8, 16, 32):
        pooled = f"pool_{stride}"
        nodes.append(helper.make_node("AveragePool", ["input"], [pooled], kernel_shape=[stride, stride],
                                      strides=[stride, stride]))
        # redness = R - (G + B) / 2, in 0..1 units; channels are B, G, R
        red_w = np.array([-0.5, -0.5, 1.0]).reshape(1, 3, 1, 1) / 255.0 * 40
        on = stride == 32
        score_bias = np.array([-0.4 * 40 if on else -40.0])
        for head in ("cls", "obj"):
            conv = f"{head}_conv_{stride}"
            nodes.append(helper.make_node("Conv", [pooled, const(f"{conv}_w", red_w * (1 if on else 0)),
                                                   const(f"{conv}_b", score_bias)], [conv]))
            nodes.append(helper.make_node("Sigmoid", [conv], [f"{conv}_s"]))
            _flatten(nodes, inits, f"{conv}_s", f"{head}_{stride}", 1)
        box = np.array([0.0, 0.0, np.log(FACE_BOX / stride), np.log(FACE_BOX / stride)])
        kps = (template / stride).reshape(-1)
        for head, bias in (("bbox", box), ("kps", kps)):
            conv = f"{head}_conv_{stride}"
            zeros = np.zeros((len(bias), 3, 1, 1))
            nodes.append(helper.make_node("Conv", [pooled, const(f"{conv}_w", zeros), const(f"{conv}_b", bias)],
                                          [conv]))
            _flatten(nodes, inits, conv, f"{head}_{stride}", len(bias))
    for head, width in (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10)):
        for stride in (8, 16, 32):
            outputs.append(helper.make_tensor_value_info(f"{head}_{stride}", TensorProto.FLOAT, [1, None, width]))
    graph = helper.make_graph(nodes, "red_faces",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, None, None])],
                              outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _flatten(nodes: list, inits: list, name: str, out: str, width: int) -> None:
    """(1, width, h, w) -> (1, h * w, width), cells row-major as YuNet's outputs."""
    from onnx import helper, numpy_helper

    inits.append(numpy_helper.from_array(np.array([1, -1, width], dtype=np.int64), f"{out}_shape"))
    nodes.append(helper.make_node("Transpose", [name], [f"{out}_t"], perm=[0, 2, 3, 1]))
    nodes.append(helper.make_node("Reshape", [f"{out}_t", f"{out}_shape"], [out]))


def detector_file(path: Path) -> Path:
    data = np.frombuffer(red_face_detector_onnx(), dtype=np.uint8).copy()
    save_file({"onnx": torch.from_numpy(data)}, str(path))
    return path


def red_face_image(size: int = 320, cell: tuple[int, int] = (5, 5)) -> np.ndarray:
    """A grey RGB image with a red 32x32 square at 32-pixel cell `cell` (column, row): the synthetic detector finds
    one FACE_BOX face centred on the cell's top-left corner (YuNet's anchor), at (160, 160) by default."""
    image = (np.indices((size, size)).sum(axis=0)[..., None] % 64 * 2 + 60).astype(np.uint8).repeat(3, axis=2)
    x, y = cell[0] * 32, cell[1] * 32
    image[y:y + 32, x:x + 32] = (220, 40, 40)
    return image
