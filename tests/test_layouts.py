"""Dataset folders as real competitions lay them out: each one read, each ambiguity one error naming the fix.

The fixtures copy the shapes of real data sets: d2l's dog breeds (``labels.csv``
with ``id,breed`` beside ``train/``, hexadecimal ids without extension),
CIFAR-10 on Kaggle (``trainLabels.csv``, numeric ids, ``test/``,
``sampleSubmission.csv``), a shared ``images/`` folder with ``train.csv`` and
``test.csv`` (ids with extension), ``train_images/`` + ``test_images/`` with
a ``filename,category`` table, a table of relative paths, and class folders
directly in the root.
"""

from pathlib import Path

import pytest
from PIL import Image

from cnnguide.data.folders import FolderDataError, read_folders
from cnnguide.data.layouts import find_layout, files_to_predict


def save(path, value=0, size=(6, 4), mode="L"):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)
    return path


def write(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def dog_breeds(root):
    ids = ["000bec180eb18c7604dcecc8fe0dba07", "001513dfcb2ffafc82cccf4d8bbaba97", "001cdf01b096e06d78e9e5112d419397"]
    breeds = ["boston_bull", "dingo", "boston_bull"]
    for k, i in enumerate(ids):
        save(root / "train" / f"{i}.jpg", value=10 * k, mode="RGB")
    write(root / "labels.csv", "id,breed\n" + "".join(f"{i},{b}\n" for i, b in zip(ids, breeds)))
    save(root / "test" / "00a3edd22dc7859c487a64777fc8d093.jpg", mode="RGB")
    write(root / "sample_submission.csv", "id,boston_bull,dingo\n00a3edd22dc7859c487a64777fc8d093,0.5,0.5\n")
    return ids, breeds


def cifar_kaggle(root):
    labels = ["frog", "truck", "truck", "deer"]
    for k in range(4):
        save(root / "train" / f"{k + 1}.png", value=k, mode="RGB", size=(8, 8))
    write(root / "trainLabels.csv", "id,label\n" + "".join(f"{k + 1},{b}\n" for k, b in enumerate(labels)))
    for k in (2, 10, 1):
        save(root / "test" / f"{k}.png", mode="RGB", size=(8, 8))
    write(root / "sampleSubmission.csv", "id,label\n1,cat\n2,cat\n10,cat\n")
    return labels


def test_dog_breeds_labels_csv_with_a_breed_column(tmp_path):
    ids, breeds = dog_breeds(tmp_path)
    data = read_folders(tmp_path)
    assert data.layout == "csv" and data.found.table.name == "labels.csv"
    assert data.found.label_column == "breed" and data.found.images == tmp_path / "train"
    assert data.train.ids == tuple(ids) and data.classes == ("boston_bull", "dingo")
    assert data.train.labels.tolist() == [0, 1, 0]
    assert data.test.ids == ("00a3edd22dc7859c487a64777fc8d093",)
    # a probability table is no model for a one-label submission: the header falls back to id,label
    assert data.test_header == ("id", "label")


def test_cifar10_on_kaggle_train_labels_and_the_sample_submissions_order(tmp_path):
    labels = cifar_kaggle(tmp_path)
    data = read_folders(tmp_path)
    assert data.found.table.name == "trainLabels.csv"
    assert [data.classes[i] for i in data.train.labels.tolist()] == labels
    assert data.test.ids == ("1", "2", "10")  # the sample submission's order
    assert data.test_header == ("id", "label") and data.channels == 3


def test_shared_images_folder_with_train_and_test_tables(tmp_path):
    for name, value in (("Train_0.jpg", 0), ("Train_1.jpg", 50), ("Test_0.jpg", 90)):
        save(tmp_path / "images" / name, value=value)
    write(tmp_path / "train.csv", "image_id,label\nTrain_0.jpg,healthy\nTrain_1.jpg,rust\n")
    write(tmp_path / "test.csv", "image_id\nTest_0.jpg\n")
    data = read_folders(tmp_path)
    assert data.found.id_column == "image_id" and data.train.ids == ("Train_0.jpg", "Train_1.jpg")
    assert data.test.ids == ("Test_0.jpg",) and data.test.files[0].parent.name == "images"


def test_train_images_folder_with_filename_and_category_columns(tmp_path):
    for k in range(3):
        save(tmp_path / "train_images" / f"img_{k}.png", value=k)
    save(tmp_path / "test_images" / "img_9.png")
    write(tmp_path / "train.csv", "filename,category,width\nimg_0.png,2,6\nimg_1.png,10,6\nimg_2.png,2,6\n")
    data = read_folders(tmp_path)
    assert data.found.images.name == "train_images" and data.classes == ("2", "10")  # numbers in numeric order
    assert data.test.ids == ("img_9",)


def test_a_table_of_relative_paths_named_with_labels(tmp_path):
    save(tmp_path / "imgs" / "a" / "1.png")
    save(tmp_path / "imgs" / "b" / "2.png", value=200)
    write(tmp_path / "meta" / "data.csv", "path;class\n../imgs/a/1.png;cat\n../imgs/b/2.png;dog\n")
    data = read_folders(tmp_path, labels="meta/data.csv")
    assert data.found.images is None and data.found.label_column == "class"
    assert data.train.images[:, 0, 0, 0].tolist() == [0, 200] and data.test is None


def test_class_folders_directly_in_the_root(tmp_path):
    for c in ("0", "1", "7"):
        save(tmp_path / c / "a.png")
        save(tmp_path / c / "b.png")
    save(tmp_path / "test" / "x.png")
    data = read_folders(tmp_path)
    assert data.layout == "class folders" and data.found.images == tmp_path
    assert data.classes == ("0", "1", "7") and len(data.train) == 6 and data.test.ids == ("x",)


def test_columns_named_where_the_header_is_unusual(tmp_path):
    save(tmp_path / "pics" / "a.png")
    write(tmp_path / "train.csv", "picture,kind\na,x\n")
    with pytest.raises(FolderDataError, match=r"cannot tell which column holds the image ids .*--id-column"):
        read_folders(tmp_path)
    data = read_folders(tmp_path, id_column="picture", label_column="kind")
    assert data.classes == ("x",)
    with pytest.raises(FolderDataError, match=r"has no column 'kinds' \(its columns: picture, kind\)"):
        read_folders(tmp_path, id_column="picture", label_column="kinds")


def test_two_label_tables_are_an_error_naming_both(tmp_path):
    cifar_kaggle(tmp_path)
    write(tmp_path / "labels.csv", "id,label\n1,frog\n")
    with pytest.raises(FolderDataError, match=r"2 label tables: labels\.csv, trainLabels\.csv; .*--labels FILE"):
        read_folders(tmp_path)
    assert read_folders(tmp_path, labels="trainLabels.csv").found.table.name == "trainLabels.csv"


def test_two_candidate_image_folders_are_an_error_unless_the_ids_decide(tmp_path):
    for folder in ("images", "thumbnails"):
        save(tmp_path / folder / "a.png")
    write(tmp_path / "train.csv", "id,label\na,x\n")
    with pytest.raises(FolderDataError, match=r"could be in 2 folders: .*images, .*thumbnails; .*--images DIR"):
        find_layout(tmp_path)
    assert find_layout(tmp_path, images="thumbnails").images == tmp_path / "thumbnails"
    save(tmp_path / "thumbnails" / "b.png")  # only one folder holds every id now
    write(tmp_path / "train.csv", "id,label\na,x\nb,y\n")
    assert find_layout(tmp_path).images == tmp_path / "thumbnails"


def test_missing_ids_are_counted(tmp_path):
    cifar_kaggle(tmp_path)
    write(tmp_path / "trainLabels.csv", "id,label\n1,frog\n2,truck\n3,truck\n4,deer\n5,cat\n6,cat\n")
    with pytest.raises(FolderDataError, match=r"line 6: no image for id '5' .*\(2 of 6 ids have none; first lines 6, 7\)"):
        read_folders(tmp_path)


def test_images_nobody_labels_are_named(tmp_path):
    cifar_kaggle(tmp_path)
    save(tmp_path / "train" / "77.png", size=(8, 8))
    save(tmp_path / "train" / "78.png", size=(8, 8))
    with pytest.raises(FolderDataError, match=r"77\.png has no row in .*trainLabels\.csv .*2 such images"):
        read_folders(tmp_path)


def test_test_table_ids_must_have_images(tmp_path):
    cifar_kaggle(tmp_path)
    write(tmp_path / "sampleSubmission.csv", "id,label\n1,cat\n404,cat\n")
    with pytest.raises(FolderDataError, match=r"1 of 2 ids have no single image in .*test \(first: '404'\)"):
        files_to_predict(tmp_path)


def test_an_empty_root_says_what_layouts_it_expected(tmp_path):
    with pytest.raises(FolderDataError, match=r"neither train/ nor a label table .*--labels FILE --images DIR"):
        read_folders(tmp_path)


def test_a_two_column_table_needs_no_label_column_name(tmp_path):
    # Kaggle's aerial cactus: id,has_cactus; ids are file names with their extension.
    for k, name in enumerate(("0004be2cfeaba1c0361d39e2b000257b.jpg", "000c8a36845c0208e833c79c1bffedd1.jpg")):
        save(tmp_path / "train" / name, value=k, mode="RGB")
    write(tmp_path / "train.csv", "id,has_cactus\n0004be2cfeaba1c0361d39e2b000257b.jpg,1\n"
                                  "000c8a36845c0208e833c79c1bffedd1.jpg,0\n")
    save(tmp_path / "test" / "000940378805c44108d287872b2f04ce.jpg", mode="RGB")
    write(tmp_path / "sample_submission.csv", "id,has_cactus\n000940378805c44108d287872b2f04ce.jpg,0.5\n")
    data = read_folders(tmp_path)
    assert data.found.label_column == "has_cactus" and data.classes == ("0", "1")
    assert data.test.ids == ("000940378805c44108d287872b2f04ce.jpg",) and data.test_header == ("id", "has_cactus")


def test_mnist_as_png_with_training_and_test_set_folders(tmp_path):
    for digit in ("0", "1"):
        for k in range(2):
            save(tmp_path / "trainingSet" / digit / f"img_{digit}{k}.jpg")
    save(tmp_path / "testSet" / "img_1.jpg")
    data = read_folders(tmp_path)
    assert data.found.images == tmp_path / "trainingSet" and data.classes == ("0", "1")
    assert data.test.ids == ("img_1",)


def test_a_table_without_a_header_line_is_named(tmp_path):
    save(tmp_path / "train" / "a.png")
    write(tmp_path / "train.csv", "a.png,cat\n")
    with pytest.raises(FolderDataError, match=r"train\.csv has no header line: .*add a header such as id,label"):
        read_folders(tmp_path)


def test_one_hot_label_columns_as_plant_pathology_has_them(tmp_path):
    for name in ("Train_0.jpg", "Train_1.jpg", "Train_2.jpg", "Test_0.jpg"):
        save(tmp_path / "images" / name, mode="RGB")
    write(tmp_path / "train.csv", "image_id,healthy,multiple_diseases,rust,scab\n"
                                  "Train_0,0,0,0,1\nTrain_1,0,1,0,0\nTrain_2,1,0,0,0\n")
    write(tmp_path / "test.csv", "image_id\nTest_0\n")
    data = read_folders(tmp_path)
    assert data.found.one_hot == ("healthy", "multiple_diseases", "rust", "scab")
    assert [data.classes[i] for i in data.train.labels.tolist()] == ["scab", "multiple_diseases", "healthy"]
    assert "one-hot columns healthy" in data.found.describe() and data.test.ids == ("Test_0",)
    write(tmp_path / "train.csv", "image_id,healthy,rust\nTrain_0,1,1\nTrain_1,0,1\nTrain_2,1,0\n")
    with pytest.raises(FolderDataError, match="cannot tell which column holds the labels"):
        read_folders(tmp_path)  # two 1s in a row: not one-hot


def test_one_folder_of_class_folders_inside_the_root(tmp_path):
    for flower in ("daisy", "tulips"):
        save(tmp_path / "flower_photos" / flower / "1.jpg", mode="RGB")
    write(tmp_path / "flower_photos" / "LICENSE.txt", "CC-BY")
    data = read_folders(tmp_path)
    assert data.found.images == tmp_path / "flower_photos" and data.classes == ("daisy", "tulips")
